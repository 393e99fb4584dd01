/**
 * Seed 000 "Value和Array方法实例": a child writes a shared double and negates a shared int
 * array; the parent sees both changes after join().
 *
 *   def f(n, a):
 *       n.value = 3.1415927
 *       for i in range(len(a)):
 *           a[i] = -a[i]
 *
 *   if __name__ == '__main__':
 *       num = Value('d', 0.0)
 *       arr = Array('i', range(10))
 *
 *       p = Process(target=f, args=(num, arr))
 *       p.start()
 *       p.join()
 *
 *       print(num.value)   # 3.1415927
 *       print(arr[:])      # [0, -1, -2, -3, -4, -5, -6, -7, -8, -9]
 *
 * Python's Array is SharedArray (also exported as `Array`, which shadows the global Array in
 * the importing module: rename it on import if you need both). `arr[:]` is `arr.slice()`.
 *
 *   npx tsx examples/shared/value-array.ts
 */
import { Process, SharedArray, Value, isMainProcess } from 'multiprocessing-ts';

export function f(n: Value<'d'>, a: SharedArray<'i'>): void {
  n.value = 3.1415927;
  for (let i = 0; i < a.length; i++) {
    a[i] = -a[i];
  }
}

if (isMainProcess()) {
  const num = new Value('d', 0.0);
  const arr = new SharedArray('i', Array.from({ length: 10 }, (_, i) => i)); // range(10)

  const p = new Process({ target: f, args: [num, arr] });
  p.start();
  await p.join();

  console.log(num.value);
  console.log(arr.slice());
}
