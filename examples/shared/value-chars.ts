/**
 * Seed 004 "共享内存 Value": a child sets a shared int, a shared char ('c') and a shared
 * wide char ('u'); the parent prints what it wrote.
 *
 *   def func(n, m1, m2):
 *       n.value = 888
 *       m1.value = 'a'.encode('utf-8')
 *       m2.value = "张"
 *
 *   if __name__ == '__main__':
 *       num = Value('i', 666)
 *       v1 = Value('c')
 *       v2 = Value('u')
 *
 *       p = Process(target=func, args=(num, v1, v2))
 *       p.start()
 *       p.join()
 *
 *       print(num.value)  # 888
 *       print(v1.value)  # a      (Python prints b'a')
 *       print(v2.value)  # 张
 *
 * A 'c' value is a one-character string (code < 256) here, not bytes: no encode() needed.
 * Without an initial value, Value('c') holds '\0' and Value('u') holds '\0', as in Python.
 *
 *   npx tsx examples/shared/value-chars.ts
 */
import { Process, Value, isMainProcess } from 'multiprocessing-ts';

export function func(n: Value<'i'>, m1: Value<'c'>, m2: Value<'u'>): void {
  n.value = 888;
  m1.value = 'a';
  m2.value = '张';
}

if (isMainProcess()) {
  const num = new Value('i', 666);
  const v1 = new Value('c');
  const v2 = new Value('u');

  const p = new Process({ target: func, args: [num, v1, v2] });
  p.start();
  await p.join();

  console.log(num.value); // 888
  console.log(v1.value); // a
  console.log(v2.value); // 张
}
