/**
 * Seed 000 "使用多线程-应用apply": a Pool of 3 processes, five apply_async calls (non-blocking),
 * then close() and join(): the main program waits for the five tasks before "done......".
 * time.sleep(0.5) → 100 ms.
 *
 *   def func(msg):
 *       print("msg: ", msg)
 *       time.sleep(0.5)
 *       print("func end")
 *
 *   if __name__ == "__main__":
 *       pool = Pool(processes=3)
 *       for i in range(5):
 *           msg = "hello world{}".format(i)
 *           # pool.apply(func=func, args=(msg, ))        # 阻塞！
 *           pool.apply_async(func=func, args=(msg, ))  # 非阻塞！
 *       print("close......")
 *       pool.close()
 *       pool.join()
 *       print("done......")
 *
 * As the seed notes, join() needs close() (or terminate()) first: otherwise it rejects with
 * ValueError ERR_POOL_RUNNING. After close() no new task is accepted.
 *
 *   npx tsx examples/pool/apply-async-close.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, isMainProcess } from 'multiprocessing-ts';

export async function func(msg: string): Promise<void> {
  console.log('msg: ', msg);
  await sleep(100);
  console.log('func end');
}

if (isMainProcess()) {
  const pool = new Pool({ processes: 3 });
  for (let i = 0; i < 5; i++) {
    const msg = `hello world${i}`;
    // await pool.apply(func, [msg]);   // 阻塞！
    pool.applyAsync(func, [msg]); // 非阻塞！
  }
  console.log('close......');
  pool.close();
  await pool.join();
  console.log('done......');
}
