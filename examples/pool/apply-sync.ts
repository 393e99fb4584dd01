/**
 * Seed 002 "进程池的同步调用": Pool(3) — three workers made once and reused — and ten
 * synchronous apply calls; each result is printed as soon as its call returns, in order.
 * time.sleep(1) → 100 ms.
 *
 *   def work(n):
 *       print('%s run' % os.getpid())
 *       time.sleep(1)
 *       return n ** 2
 *
 *   if __name__ == '__main__':
 *       p = Pool(3)  # 进程池中从无到有创建三个进程,以后一直是这三个进程在执行任务
 *       for i in range(10):
 *           res = p.apply(work, args=(i,))  # 同步调用，直到本次任务执行完毕拿到res
 *           print(res)
 *
 * Every pid in the "run" lines is one of those three workers (often the same one: the calls
 * come one at a time, and an idle worker takes each).
 *
 *   npx tsx examples/pool/apply-sync.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, isMainProcess } from 'multiprocessing-ts';

export async function work(n: number): Promise<number> {
  console.log(`${process.pid} run`);
  await sleep(100);
  return n ** 2;
}

if (isMainProcess()) {
  const p = new Pool(3); // 进程池中从无到有创建三个进程,以后一直是这三个进程在执行任务
  for (let i = 0; i < 10; i++) {
    const res = await p.apply(work, [i]); // 同步调用，直到本次任务执行完毕拿到res
    console.log(res);
  }
  p.close();
  await p.join();
}
