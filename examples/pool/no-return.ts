/**
 * Seed 002 "没有返回值的情况": Pool(5) runs wahaha(i) for i in 0..4 with apply_async, each
 * printing '*' × i; close(), join(). Then the seed's comparison: the same with five Process
 * objects. time.sleep(1) → 100 ms.
 *
 *   def wahaha(i):
 *       time.sleep(1)
 *       print('*' * i)
 *
 *   if __name__ == '__main__':
 *       p = Pool(5)  # 建议的数量是CPU核数+1
 *       for i in range(5):
 *           p.apply_async(func=wahaha, args=(i,))
 *       p.close()  # 不能再提交新的任务
 *       p.join()  # 等待池中的任务都执行完
 *
 *   def f(n):
 *       time.sleep(1)
 *       print('*' * n)
 *
 *   if __name__ == '__main__':
 *       for i in range(5):
 *           Process(target=f, args=(i,)).start()
 *
 * The seed says the Process version prints out of order and the pool version in order; in
 * both, the order is whatever order the sleeps end in — nothing guarantees it either way.
 * The tasks return nothing, so their results are undefined (Python's None).
 *
 *   npx tsx examples/pool/no-return.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, Process, isMainProcess } from 'multiprocessing-ts';

export async function wahaha(i: number): Promise<void> {
  await sleep(100);
  console.log('*'.repeat(i));
}

export async function f(n: number): Promise<void> {
  await sleep(100);
  console.log('*'.repeat(n));
}

if (isMainProcess()) {
  const p = new Pool(5); // 建议的数量是CPU核数+1
  for (let i = 0; i < 5; i++) {
    p.applyAsync(wahaha, [i]);
  }
  p.close(); // 不能再提交新的任务
  await p.join(); // 等待池中的任务都执行完

  console.log('--- the same with five Process objects');
  const children: Process[] = [];
  for (let i = 0; i < 5; i++) {
    const child = new Process({ target: f, args: [i] });
    child.start();
    children.push(child);
  }
  for (const child of children) await child.join();
}
