/**
 * Seed 004 "4. 进程池": submit ten calls to a ProcessPoolExecutor(4) and go on at once — the
 * calls run inside the pool while the main program prints 1 and 2. time.sleep(2) → 200 ms.
 *
 *   def task(num):
 *       print("执行", num)
 *       time.sleep(2)
 *
 *   if __name__ == '__main__':
 *       pool = ProcessPoolExecutor(4)    # 进程池中最多维护4个进程
 *       for i in range(10):
 *           pool.submit(task, i)         # 这里不会等待，是全部执行；具体等待是在进程池内部执行的
 *       print(1)
 *       print(2)
 *
 * Python waits for the submitted calls when the program ends (an exit hook of
 * concurrent.futures); here the executor's workers keep the program alive while calls are
 * pending, so the ten calls still run after "1" and "2" are printed.
 *
 *   npx tsx examples/futures/submit.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcessPoolExecutor, isMainProcess } from 'multiprocessing-ts';

export async function task(num: number): Promise<void> {
  console.log('执行', num);
  await sleep(200);
}

if (isMainProcess()) {
  const pool = new ProcessPoolExecutor(4); // 进程池中最多维护4个进程
  for (let i = 0; i < 10; i++) {
    pool.submit(task, i); // 这里不会等待，是全部执行；具体等待是在进程池内部执行的
  }
  console.log(1);
  console.log(2);
}
