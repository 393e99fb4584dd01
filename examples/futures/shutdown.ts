/**
 * Seed 004 "4. 进程池", second program: the same ten calls, then shutdown(True) — the main
 * program waits until every call in the pool has finished, and only then prints 1.
 * time.sleep(2) → 200 ms.
 *
 *   def task(num):
 *       print("执行", num)
 *       time.sleep(2)
 *
 *   if __name__ == '__main__':
 *       pool = ProcessPoolExecutor(4)
 *       for i in range(10):
 *           pool.submit(task, i)
 *       pool.shutdown(True)    # 等待进程池中的任务都执行完毕后，再继续往后执行。
 *       print(1)
 *
 * shutdown({ wait: true }) is also what `await using pool = new ProcessPoolExecutor(4)` does at
 * the end of its block (Python's `with ProcessPoolExecutor(4) as pool:`).
 *
 *   npx tsx examples/futures/shutdown.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcessPoolExecutor, isMainProcess } from 'multiprocessing-ts';

export async function task(num: number): Promise<void> {
  console.log('执行', num);
  await sleep(200);
}

if (isMainProcess()) {
  const pool = new ProcessPoolExecutor(4);
  for (let i = 0; i < 10; i++) {
    pool.submit(task, i);
  }
  await pool.shutdown({ wait: true }); // 等待进程池中的任务都执行完毕后，再继续往后执行。
  console.log(1);
}
