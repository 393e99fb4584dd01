/**
 * Seed 004 "4. 进程池", third program: each submitted call gets add_done_callback(done); done
 * runs in the main process (the seed: "done的调用由主进程处理（与线程池不同）"), as
 * current_process() shows, and reads the call's result. Sleeps: 2 s → 200 ms, 1 s → 50 ms.
 *
 *   def task(num):
 *       print("执行", num)
 *       time.sleep(2)
 *       return num
 *
 *   def done(res):
 *       print(multiprocessing.current_process())   # 查看具体是由哪个进程操作的
 *       time.sleep(1)
 *       print(res.result())
 *       time.sleep(1)
 *
 *   if __name__ == '__main__':
 *       pool = ProcessPoolExecutor(4)
 *       for i in range(10):
 *           fur = pool.submit(task, i)
 *           fur.add_done_callback(done)   # done的调用由主进程处理（与线程池不同）
 *       print(multiprocessing.current_process())
 *       pool.shutdown(True)
 *
 * Python's done callback blocks its result-handling thread with time.sleep; here the callback
 * is called synchronously and must not block the event loop, so it only prints: the result is
 * there already (`await res.result()` would give the same value).
 *
 *   npx tsx examples/futures/done-callback.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { ProcessPoolExecutor, currentProcess, isMainProcess, type Future } from 'multiprocessing-ts';

export async function task(num: number): Promise<number> {
  console.log('执行', num, 'in', currentProcess().name);
  await sleep(200);
  return num;
}

function done(res: Future<number>): void {
  console.log(inspect(currentProcess())); // 查看具体是由哪个进程操作的
  void res.result().then((value) => console.log(value));
}

if (isMainProcess()) {
  const pool = new ProcessPoolExecutor(4);
  for (let i = 0; i < 10; i++) {
    const fur = pool.submit(task, i);
    fur.addDoneCallback(done); // done的调用由主进程处理（与线程池不同）
  }
  console.log(inspect(currentProcess()));
  await pool.shutdown({ wait: true });
}
