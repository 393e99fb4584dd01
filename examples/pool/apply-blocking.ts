/**
 * Seed 001 "进程池对象": Pool(processes=5), three blocking apply calls one after another, then
 * close() and join(). time.sleep(2) → 200 ms.
 *
 *   def target(p):
 *       print('t')
 *       time.sleep(2)
 *       print(p)
 *
 *   if __name__ == "__main__":
 *       pool = multiprocessing.Pool(processes=5)
 *       for i in range(3):
 *           p = 'p%d' % (i)
 *           # 阻塞式
 *           pool.apply(target, (p, ))
 *           # 非阻塞式
 *           # pool.apply_async(target, (p, ))
 *       pool.close()
 *       pool.join()
 *
 * "Blocking" here is `await pool.apply(…)`: the loop waits for each call, but the event loop
 * of the main process stays free. The output is t p0 t p1 t p2, in that order.
 *
 *   npx tsx examples/pool/apply-blocking.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, isMainProcess } from 'multiprocessing-ts';

export async function target(p: string): Promise<void> {
  console.log('t');
  await sleep(200);
  console.log(p);
}

if (isMainProcess()) {
  const pool = new Pool({ processes: 5 });
  for (let i = 0; i < 3; i++) {
    const p = `p${i}`;
    await pool.apply(target, [p]); // 阻塞式
    // pool.applyAsync(target, [p]); // 非阻塞式
  }
  pool.close();
  await pool.join();
}
