/**
 * Seed 004 "3. 进程锁": 20 processes each do `d[1] += 1` on a manager dict; "很显然，多进程在操作时
 * 就会出问题，此时就需要锁来介入" — then the same with a lock.
 *
 *   def f(d):
 *       d[1] += 1
 *
 *   if __name__ == '__main__':
 *       with Manager() as manager:
 *           d = manager.dict()
 *           d[1] = 0
 *           for i in range(20):
 *               p = Process(target=f, args=(d,))
 *               p.start()
 *           time.sleep(3)
 *           print(d)
 *
 * Without a lock the count may end below 20 (`d[1] += 1` is a get and a set, and two processes
 * can get the same value): racy, printed as it comes. The seed's lock program that follows
 * guards a counter file with `lock = multiprocessing.RLock()` passed to each process; here
 * the same RLock guards the dict, and the count always ends at 20:
 *
 *   def f(d, lock):
 *       with lock:
 *           d[1] += 1
 *
 * The seed sleeps 3 s and prints without joining; here the parent joins its children instead
 * (a child still running when the `with` block ends would find its manager gone, and twenty
 * Node.js processes may take longer than 3 s to start on a small machine).
 *
 *   npx tsx examples/managers/dict-increment.ts
 */
import { Manager, Process, RLock, isMainProcess, type DictProxy } from 'multiprocessing-ts';

export async function f(d: DictProxy<number, number>): Promise<void> {
  await d.set(1, (await d.get(1))! + 1); // d[1] += 1
}

export async function fLocked(d: DictProxy<number, number>, lock: RLock): Promise<void> {
  await lock.withLock(async () => {
    await d.set(1, (await d.get(1))! + 1); // with lock: d[1] += 1
  });
}

async function run(d: DictProxy<number, number>, start: () => Process): Promise<void> {
  await d.set(1, 0);
  const ps = Array.from({ length: 20 }, start);
  for (const p of ps) p.start();
  for (const p of ps) await p.join(); // the seed: time.sleep(3)
  console.log(await d.copy());
}

if (isMainProcess()) {
  await using manager = await Manager();
  const d = await manager.dict<number, number>();
  await run(d, () => new Process({ target: f, args: [d] })); // Map(1) { 1 => 20 }, or less: racy
  const lock = new RLock(); // 进程锁
  await run(d, () => new Process({ target: fLocked, args: [d, lock] })); // Map(1) { 1 => 20 }
}
