/**
 * Seed 002 "有返回值的情况": Pool(5), apply_async(wahaha, i) for i in 1..4, and get() each
 * result in order: *, **, ***, ****. time.sleep(1) → 100 ms.
 *
 *   def wahaha(i):
 *       time.sleep(1)
 *       return '*' * i
 *
 *   if __name__ == '__main__':
 *       p = Pool(5)  # 建议的数量是CPU核数+1
 *       res_1 = []
 *       for i in range(1,5):
 *           res = p.apply_async(func=wahaha, args=(i,))
 *           res_1.append(res)
 *       for i in res_1: print(i.get())
 *
 * get() waits for each result in turn; no close()/join() is needed to read them.
 *
 *   npx tsx examples/pool/return-values.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, isMainProcess, type AsyncResult } from 'multiprocessing-ts';

export async function wahaha(i: number): Promise<string> {
  await sleep(100);
  return '*'.repeat(i);
}

if (isMainProcess()) {
  const p = new Pool(5); // 建议的数量是CPU核数+1
  const res1: AsyncResult<string>[] = [];
  for (let i = 1; i < 5; i++) {
    const res = p.applyAsync(wahaha, [i]);
    res1.push(res);
  }
  for (const i of res1) console.log(await i.get());
}
