/**
 * Seed 001 "服务进程": `with Manager() as manager`, a dict and a list in the manager's server
 * process, printed before and after a child changes them.
 *
 *   def setData(d, l):
 *       d[1] = '1'
 *       d[0.5] = None
 *       l.reverse()
 *
 *   if __name__ == '__main__':
 *       with Manager() as manager:
 *           d = manager.dict()
 *           l = manager.list(range(5))
 *           print(d)
 *           print(l)
 *           print('-----------------------')
 *           p = Process(target=setData, args=(d, l))
 *           p.start()
 *           p.join()
 *           print(d)
 *           print(l)
 *
 * Python prints {} and [0, 1, 2, 3, 4], then {1: '1', 0.5: None} and [4, 3, 2, 1, 0]. Here the
 * dict prints as a Map and None is null. `with Manager() as manager:` is `await using`: the
 * manager shuts down when the block ends.
 *
 *   npx tsx examples/managers/set-data.ts
 */
import { Manager, Process, isMainProcess, type DictProxy, type ListProxy } from 'multiprocessing-ts';

export async function setData(d: DictProxy<number, string | null>, l: ListProxy<number>): Promise<void> {
  await d.set(1, '1');
  await d.set(0.5, null);
  await l.reverse();
}

if (isMainProcess()) {
  await using manager = await Manager();
  const d = await manager.dict<number, string | null>();
  const l = await manager.list([0, 1, 2, 3, 4]); // range(5)
  console.log(await d.copy()); // Map(0) {}
  console.log(await l.copy()); // [ 0, 1, 2, 3, 4 ]
  console.log('-----------------------');
  const p = new Process({ target: setData, args: [d, l] });
  p.start();
  await p.join();
  console.log(await d.copy()); // Map(2) { 1 => '1', 0.5 => null }
  console.log(await l.copy()); // [ 4, 3, 2, 1, 0 ]
}
