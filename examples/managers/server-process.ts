/**
 * Seed 004 "Server process" (Python's documentation example): a child puts keys of three
 * types in a manager dict and appends to a manager list.
 *
 *   def f(d, l):
 *       d[1] = '1'
 *       d['2'] = 2
 *       d[0.25] = None
 *       l.append(666)
 *
 *   if __name__ == '__main__':
 *       with Manager() as manager:
 *           d = manager.dict()
 *           l = manager.list()
 *
 *           p = Process(target=f, args=(d, l))
 *           p.start()
 *           p.join()
 *
 *           print(d)
 *           print(l)
 *
 * Python prints {1: '1', '2': 2, 0.25: None} and [666]; here the dict is a Map (the number
 * key 1 and the string key '2' stay apart, as in Python) and None is null.
 *
 *   npx tsx examples/managers/server-process.ts
 */
import { Manager, Process, isMainProcess, type DictProxy, type ListProxy } from 'multiprocessing-ts';

export async function f(d: DictProxy<number | string, string | number | null>, l: ListProxy<number>): Promise<void> {
  await d.set(1, '1');
  await d.set('2', 2);
  await d.set(0.25, null);
  await l.append(666);
}

if (isMainProcess()) {
  await using manager = await Manager();
  const d = await manager.dict<number | string, string | number | null>();
  const l = await manager.list<number>();

  const p = new Process({ target: f, args: [d, l] });
  p.start();
  await p.join();

  console.log(await d.copy()); // Map(3) { 1 => '1', '2' => 2, 0.25 => null }
  console.log(await l.copy()); // [ 666 ]
}
