/**
 * Seed 004 "共享内存 Array": a child sets the first element of a shared int array.
 *
 *   def f(data_array):
 *       data_array[0] = 666
 *
 *   if __name__ == '__main__':
 *       arr = Array('i', [11, 22, 33, 44]) # 数组：元素类型必须是int; 只能是这么几个数据。
 *
 *       p = Process(target=f, args=(arr,))
 *       p.start()
 *       p.join()
 *
 *       print(arr[:])   # [666, 22, 33, 44]
 *
 * `arr[:]` is `arr.slice()` (a copy, taken under the array's lock).
 *
 *   npx tsx examples/shared/array-item.ts
 */
import { Process, SharedArray, isMainProcess } from 'multiprocessing-ts';

export function f(dataArray: SharedArray<'i'>): void {
  dataArray[0] = 666;
}

if (isMainProcess()) {
  const arr = new SharedArray('i', [11, 22, 33, 44]); // 数组：元素类型必须是int; 只能是这么几个数据。

  const p = new Process({ target: f, args: [arr] });
  p.start();
  await p.join();

  console.log(arr.slice()); // [ 666, 22, 33, 44 ]
}
