/**
 * Seed 000 "共享字符串": a shared Value cannot hold a string of any length (ctypes.c_char_p is
 * a pointer, meaningless in another process), so the seed asks a Manager for one instead.
 *
 *   from ctypes import c_char_p
 *   from multiprocessing import Value, Manager
 *
 *   # ss = Value(c_char_p, 'hello')  # 这里在我的环境会报错，使用下面的Manager则不会
 *   ss = Manager().Value(ctypes.c_char_p, 'hello')
 *   print(ss)
 *
 * Python prints `Value(<class 'ctypes.c_char_p'>, 'hello')`: a manager Value keeps its
 * typecode only for show, and holds any value. Here the typecode is a string too
 * ('c_char_p'), so this prints `Value('c_char_p', "hello")`. The seed never shuts its manager
 * down (Python does it at exit); `await using` does it here. A child then changes the string
 * through the proxy, to show it is shared (the seed stops at the print).
 *
 * (A shared Value of this library takes no strings either; `new Value('u', '张')` holds one
 * character: examples/shared/value-chars.ts.)
 *
 *   npx tsx examples/managers/value-string.ts
 */
import { Manager, Process, isMainProcess, type ValueProxy } from 'multiprocessing-ts';

export async function shout(ss: ValueProxy<string>): Promise<void> {
  await ss.set(`${await ss.get()}, world`.toUpperCase());
}

if (isMainProcess()) {
  await using manager = await Manager();
  // const ss = new Value(c_char_p, 'hello') // no such typecode: a Value holds numbers (or one char)
  const ss = await manager.Value('c_char_p', 'hello');
  console.log(await ss.repr()); // Value('c_char_p', "hello")

  const p = new Process({ target: shout, args: [ss] });
  p.start();
  await p.join();
  console.log(await ss.repr()); // Value('c_char_p', "HELLO, WORLD")
}
