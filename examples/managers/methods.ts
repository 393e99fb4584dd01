/**
 * Seed 000 "Manager方法实例": 20 processes share a manager's list, Value and dict, and take
 * a manager Lock around their changes; then a manager Array is printed.
 *
 *   def func1(shareList, shareValue, shareDict, lock):
 *       with lock:
 *           shareValue.value += 1
 *           shareDict[1] = '1'
 *           shareDict[2] = '2'
 *           for i in range(len(shareList)):
 *               shareList[i] += 1
 *
 *   if __name__ == '__main__':
 *       manager = Manager()
 *       list1   = manager.list([1, 2, 3, 4, 5])
 *       value1  = manager.Value('i', 1)
 *       dict1   = manager.dict()
 *       lock1   = manager.Lock()
 *
 *       proc = [Process(target=func1, args=(list1, value1, dict1, lock1)) for i in range(20)]
 *       for p in proc: p.start()
 *       for p in proc: p.join()
 *       print(list1)
 *       print(value1)
 *       print(dict1)
 *
 *       array1 = manager.Array('i', range(10))
 *       print(array1)
 *
 * The seed prints
 *
 *   [21, 22, 23, 24, 25]
 *   Value('i', 21)
 *   {1: '1', 2: '2'}
 *   array('i', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
 *
 * and so does this, in Node's notation for the list and the dict (a Map). The seed's
 * "Manager不需要加锁" is not so: `shareValue.value += 1` is a get and a set, two requests that
 * two processes can interleave, which is why func1 holds the lock (in Python as here).
 *
 *   npx tsx examples/managers/methods.ts
 */
import { Manager, Process, isMainProcess, type DictProxy, type ListProxy, type LockProxy, type ValueProxy } from 'multiprocessing-ts';

export async function func1(shareList: ListProxy<number>, shareValue: ValueProxy<number>, shareDict: DictProxy<number, string>, lock: LockProxy): Promise<void> {
  await lock.withLock(async () => {
    await shareValue.set((await shareValue.get()) + 1); // shareValue.value += 1
    await shareDict.set(1, '1');
    await shareDict.set(2, '2');
    const n = await shareList.len();
    for (let i = 0; i < n; i++) {
      await shareList.set(i, (await shareList.get(i)) + 1); // shareList[i] += 1
    }
  });
}

if (isMainProcess()) {
  await using manager = await Manager();
  const list1 = await manager.list([1, 2, 3, 4, 5]);
  const value1 = await manager.Value('i', 1);
  const dict1 = await manager.dict<number, string>();
  const lock1 = await manager.Lock();

  const proc = Array.from({ length: 20 }, () => new Process({ target: func1, args: [list1, value1, dict1, lock1] }));
  for (const p of proc) p.start();
  for (const p of proc) await p.join();
  console.log(await list1.copy()); // [ 21, 22, 23, 24, 25 ]
  console.log(await value1.repr()); // Value('i', 21)
  console.log(await dict1.copy()); // Map(2) { 1 => '1', 2 => '2' }

  const array1 = await manager.Array('i', Array.from({ length: 10 }, (_, i) => i)); // range(10)
  console.log(await array1.repr()); // array('i', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
}
