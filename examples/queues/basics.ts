/**
 * Seed 002 "队列 / 概念介绍": put three items into a Queue, get the first one back. No other
 * process: a Queue works within one process too.
 *
 *   from multiprocessing import Queue
 *
 *   q = Queue()  # 创建共享的进程队列
 *   q.put(1)  # 将一个值放入队列
 *   q.put(2)
 *   q.put('aaa')
 *   print(q.get())  # 返回q中的一个项目
 *   # 1
 *
 * The main process uses the Promise forms (`await q.put(…)`, `await q.get()`): they never
 * block the event loop. An unbounded queue's put never waits, so `q.putSync(2)` (no await)
 * does the same. The two items left in the queue go with it: its memory is nameless and the
 * kernel frees it when the process exits.
 *
 *   npx tsx examples/queues/basics.ts
 */
import { Queue } from 'multiprocessing-ts';

const q = new Queue<number | string>(); // 创建共享的进程队列
await q.put(1); // 将一个值放入队列
q.putSync(2);
await q.put('aaa');
console.log(await q.get()); // 返回q中的一个项目: 1
console.log('qsize:', q.qsize(), 'empty:', q.empty()); // qsize: 2 empty: false
