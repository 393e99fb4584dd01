/**
 * Seed 002 "map": Pool(5).map(wahaha, range(1, 5)) — each call prints '*' × i and returns
 * nothing — and then Pool(5).map(func, range(10)), whose results come back as a list in order.
 * time.sleep(1) → 100 ms, time.sleep(0.5) → 50 ms.
 *
 *   def wahaha(i):
 *       time.sleep(1)
 *       print('*' * i)
 *
 *   if __name__ == '__main__':
 *       p = Pool(5)  # 建议的数量是CPU核数+1
 *       p.map(func=wahaha, iterable=range(1, 5))  # iterable接收一个可迭代对象
 *
 *   def func(i):
 *       time.sleep(0.5)
 *       return i * i
 *
 *   if __name__ == '__main__':
 *       p = Pool(5)
 *       res = p.map(func, range(10))
 *       print(res)
 *   # [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]
 *
 * Any iterable works: an array, a Set, a generator, even an async generator.
 *
 *   npx tsx examples/pool/map.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, isMainProcess } from 'multiprocessing-ts';

export async function wahaha(i: number): Promise<void> {
  await sleep(100);
  console.log('*'.repeat(i));
}

export async function func(i: number): Promise<number> {
  await sleep(50);
  return i * i;
}

function* range(start: number, stop?: number): Generator<number> {
  if (stop === undefined) [start, stop] = [0, start];
  for (let i = start; i < stop; i++) yield i;
}

if (isMainProcess()) {
  const p = new Pool(5); // 建议的数量是CPU核数+1
  console.log(await p.map(wahaha, range(1, 5))); // iterable接收一个可迭代对象: [undefined × 4]
  const res = await p.map(func, range(10));
  console.log(res); // [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]
  p.close();
  await p.join();
}
