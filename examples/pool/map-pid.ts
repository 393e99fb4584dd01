/**
 * Seed 000 "使用多线程-映射map": Pool() (one worker per CPU) maps task over range(20); each
 * call prints its number and the worker's pid and returns num ** 2. time.sleep(1) → 100 ms.
 *
 *   def task(num):
 *       time.sleep(1)
 *       print('num:%d; PID:%s' % (num, os.getpid()))
 *       return num**2
 *
 *   if __name__ == "__main__":
 *       p = Pool()
 *       p.map(task, range(20))        # 阻塞
 *       # p.map_async(task, range(20))  # 异步非阻塞
 *
 * map() resolves with the results in order; mapAsync() returns an AsyncResult at once. The
 * seed never closes its pool; here the program ends anyway, because an idle pool's workers
 * are daemonic — close() and join() are still the tidy way, shown at the end.
 *
 *   npx tsx examples/pool/map-pid.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, isMainProcess } from 'multiprocessing-ts';

export async function task(num: number): Promise<number> {
  await sleep(100);
  console.log(`num:${num}; PID:${process.pid}`);
  return num ** 2;
}

if (isMainProcess()) {
  const p = new Pool();
  const range20 = Array.from({ length: 20 }, (_, i) => i);
  const squares = await p.map(task, range20); // 阻塞 (until every result is in)
  console.log(squares);
  const later = p.mapAsync(task, [20, 21]); // 异步非阻塞
  console.log('mapAsync returned at once; ready:', later.ready());
  console.log(await later.get());
  p.close();
  await p.join();
}
