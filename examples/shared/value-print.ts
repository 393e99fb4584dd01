/**
 * Seed 000 "Value初始化整数、字符例子": a shared int and a shared char, printed.
 *
 *   from multiprocessing import Value
 *
 *   i = Value('i', 1)
 *   c = Value('c', '0')
 *   print(i)   # <Synchronized wrapper for c_int(1)>
 *   print(c)   # <Synchronized wrapper for c_char(b'0')>
 *
 * (Python 3 wants bytes for 'c': Value('c', b'0'). Here a 'c' value is a one-character string
 * with a code below 256 — a number 0–255 is accepted too.) Printing shows the typecode and the
 * value; `.value` reads it: a number for 'i', a string for 'c'.
 *
 *   npx tsx examples/shared/value-print.ts
 */
import { Value } from 'multiprocessing-ts';

const i = new Value('i', 1);
const c = new Value('c', '0');
console.log(i); // Value('i', 1)
console.log(c); // Value('c', "0")
console.log(i.value, c.value); // 1 0
