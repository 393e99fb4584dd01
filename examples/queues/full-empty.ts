/**
 * Seed 003 "put_nowait 与 get_nowait": a Queue(5) holds five items; a sixth put would wait
 * for ever (the seed's "程序夯住"), put_nowait raises queue.Full instead; after five gets,
 * get_nowait raises queue.Empty instead of waiting.
 *
 *   import queue
 *   from multiprocessing import Queue
 *
 *   q = Queue(5)  # 只能放我5个
 *   q.put(1)
 *   q.put(2)
 *   q.put(3)
 *   q.put(4)
 *   q.put(5)
 *   print('******')
 *   try:
 *       q.put_nowait(6)  # 满了的话我也不等
 *       print('######')
 *   except queue.Full:
 *       print('队列溢出，做点别的处理')
 *       pass
 *
 *   print(q.get())
 *   print(q.get())
 *   print(q.get())
 *   print(q.get())
 *   print(q.get())
 *   try:
 *       print(q.get_nowait())  # 空了的话数据我就不取了
 *   except queue.Empty:
 *       pass
 *
 * Python imports Full and Empty from its `queue` module; here they are exported by the package.
 * A timeout is the middle way between waiting for ever and not at all: `put(6, { timeout })`
 * raises Full, `get({ timeout })` raises Empty, once the time (milliseconds) has run out.
 *
 *   npx tsx examples/queues/full-empty.ts
 */
import { Empty, Full, Queue } from 'multiprocessing-ts';

// 只能放我5个
const q = new Queue<number>(5);
await q.put(1);
await q.put(2);
await q.put(3);
await q.put(4);
await q.put(5);
console.log('******');
try {
  // 满了的话我也不等
  q.putNowait(6);
  console.log('######');
} catch (error) {
  if (!(error instanceof Full)) throw error;
  console.log('队列溢出，做点别的处理');
}
try {
  await q.put(6, { timeout: 100 }); // Python: q.put(6, True, 0.1)
} catch (error) {
  if (!(error instanceof Full)) throw error;
  console.log(`${error.name}: ${error.message}`);
}

console.log(await q.get());
console.log(await q.get());
console.log(await q.get());
console.log(q.getSync());
console.log(q.getSync());
try {
  // 空了的话数据我就不取了
  console.log(q.getNowait());
} catch (error) {
  if (!(error instanceof Empty)) throw error;
  console.log('队列空了');
}
try {
  console.log(q.getSync({ timeout: 100 })); // Python: q.get(True, 0.1)
} catch (error) {
  if (!(error instanceof Empty)) throw error;
  console.log(`${error.name}: ${error.message}`);
}
