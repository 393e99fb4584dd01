/**
 * Seed 001 "使用 Value 或 Array 将数据存储在共享内存映射中": the parent prints a Value and an Array,
 * a child changes them, the parent prints them again.
 *
 *   def setData(n, a):
 *       n.value = 1024
 *       for i in range(len(a)):
 *           a[i] = -a[i]
 *
 *   def printData(n, a):
 *       print(num.value)
 *       print(arr[:])
 *
 *   if __name__ == '__main__':
 *       num = Value('d', 0.0)
 *       arr = Array('i', range(5))
 *       print(num.value)
 *       print(arr[:])
 *       print('-----------------------')
 *       p = Process(target=setData, args=(num, arr))
 *       p.start()
 *       p.join()
 *       print(num.value)
 *       print(arr[:])
 *
 * The seed defines printData but never calls it (and it reads the globals, not its
 * arguments); here it prints its arguments and does the parent's printing.
 *
 *   npx tsx examples/shared/set-data.ts
 */
import { Process, SharedArray, Value, isMainProcess } from 'multiprocessing-ts';

export function setData(n: Value<'d'>, a: SharedArray<'i'>): void {
  n.value = 1024;
  for (let i = 0; i < a.length; i++) {
    a[i] = -a[i];
  }
}

export function printData(n: Value<'d'>, a: SharedArray<'i'>): void {
  console.log(n.value);
  console.log(a.slice());
}

if (isMainProcess()) {
  const num = new Value('d', 0.0);
  const arr = new SharedArray('i', [0, 1, 2, 3, 4]); // range(5)
  printData(num, arr); // 0  [ 0, 1, 2, 3, 4 ]
  console.log('-----------------------');
  const p = new Process({ target: setData, args: [num, arr] });
  p.start();
  await p.join();
  printData(num, arr); // 1024  [ 0, -1, -2, -3, -4 ]
}
