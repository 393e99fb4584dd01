/**
 * Seed 002 "回调函数", the last program: without a callback, the main process waits for every
 * task (close, join) and then handles all the results together. time.sleep(1) → 100 ms.
 *
 *   def work(n):
 *       time.sleep(1)
 *       print(os.getpid())
 *       return n ** 2
 *
 *   if __name__ == '__main__':
 *       p = Pool()
 *       res_l = []
 *       for i in range(10):
 *           res = p.apply_async(work, args=(i,))
 *           res_l.append(res)
 *       p.close()
 *       p.join()  # 等待进程池中所有进程执行完毕
 *       nums = []
 *       for res in res_l:
 *           nums.append(res.get())  # 拿到所有结果
 *       print(nums)  # 主进程拿到所有的处理结果,可以在主进程中进行统一进行处理
 *
 *   npx tsx examples/pool/collect-results.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, isMainProcess } from 'multiprocessing-ts';

export async function work(n: number): Promise<number> {
  await sleep(100);
  console.log(process.pid);
  return n ** 2;
}

if (isMainProcess()) {
  const p = new Pool(); // cpuCount() workers
  const resL = [];
  for (let i = 0; i < 10; i++) {
    const res = p.applyAsync(work, [i]);
    resL.push(res);
  }
  p.close();
  await p.join(); // 等待进程池中所有进程执行完毕
  const nums: number[] = [];
  for (const res of resL) {
    nums.push(await res.get()); // 拿到所有结果
  }
  console.log(nums); // [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]
}
