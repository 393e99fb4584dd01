/**
 * Seed 002 "进程池的异步调用": Pool(3), ten apply_async calls collected in a list; close(),
 * join(), then get() each result — in submission order, whatever order the calls finished in.
 * time.sleep(random.random()) → up to 100 ms.
 *
 *   def work(n):
 *       print('%s run' % os.getpid())
 *       time.sleep(random.random())
 *       return n ** 2
 *
 *   if __name__ == '__main__':
 *       p = Pool(3)
 *       res_l = []
 *       for i in range(10):
 *           res = p.apply_async(work, args=(i,))
 *           res_l.append(res)
 *       p.close()
 *       p.join()
 *       for res in res_l:
 *           print(res.get())
 *
 * An AsyncResult is also awaitable: `await res` is the same as `await res.get()`.
 *
 *   npx tsx examples/pool/apply-async.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, isMainProcess, type AsyncResult } from 'multiprocessing-ts';

export async function work(n: number): Promise<number> {
  console.log(`${process.pid} run`);
  await sleep(Math.random() * 100);
  return n ** 2;
}

if (isMainProcess()) {
  const p = new Pool(3);
  const resL: AsyncResult<number>[] = [];
  for (let i = 0; i < 10; i++) {
    const res = p.applyAsync(work, [i]);
    resL.push(res);
  }
  p.close();
  await p.join();
  for (const res of resL) {
    console.log(await res.get()); // 使用get来获取apply_aync的结果
  }
}
