/**
 * Seed 002 "事件": an Event is a flag, False at first; wait() blocks while it is False and
 * returns at once when it is True; set() makes it True, clear() False, is_set() reads it.
 *
 *   e = Event()  # 创建一个事件的对象
 *   print(e.is_set())  # 在事件的创始之初,状态为False
 *
 *   e.wait()   # the seed's second example: it prints False, then hangs forever
 *   print('1')
 *
 *   e.set()  # 将状态设置为True
 *   e.wait()
 *   print(e.is_set())  # 查看状态
 *   print('1')
 *   # False True 1
 *
 * The example that hangs forever is shown with a timeout instead: wait(500) resolves false
 * after 500 ms (timeouts are milliseconds). In the main process the Promise form is the one
 * to use: it never blocks the event loop. waitSync() blocks the thread, as Python's does.
 *
 *   npx tsx examples/sync/event.ts
 */
import { Event } from 'multiprocessing-ts';

{
  const e = new Event(); // 创建一个事件的对象
  console.log(e.isSet()); // 在事件的创始之初,状态为False
}

{
  const e = new Event();
  console.log(e.isSet()); // False
  const flagged = await e.wait(500); // Python's e.wait() would wait for ever: give it a timeout
  console.log('wait(500) ->', flagged); // false: nobody set the flag
  console.log('1');
}

{
  const e = new Event();
  console.log(e.isSet()); // 在事件的创始之初,状态为False
  e.set(); // 将状态设置为True
  await e.wait(); // returns at once
  console.log(e.isSet()); // 查看状态
  console.log('1');
  e.clear(); // 将状态设置为False
  console.log('after clear():', e.isSet(), '· waitSync(100) ->', e.waitSync(100)); // false false
}
