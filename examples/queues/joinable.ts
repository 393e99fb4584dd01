/**
 * Seed 000 "JoinableQueue类实例": a producer puts ten 馒头, a daemonic consumer eats them and
 * calls task_done() for each; the parent waits for the producer, then q.join() waits until
 * every 馒头 has been eaten. Random sleeps 20–40 ms (Python: 0.2–0.4 s).
 *
 *   def consumer(q, name):
 *       while True:
 *           food = q.get()
 *           time.sleep(random.uniform(0.2, 0.4))
 *           print('%s吃了一个%s' % (name, food))
 *           q.task_done()  # 通知队列已经有一个数据被处理了
 *
 *   def producer(q, name, food):
 *       for i in range(10):
 *           time.sleep(random.uniform(0.2, 0.4))
 *           print('%s生产了%s%s' % (name, food, i + 1))
 *           q.put(food + str(i))
 *
 *   if __name__ == '__main__':
 *       q = JoinableQueue()
 *       proc_con = Process(target=consumer, args=(q, 'con'))
 *       proc_prod = Process(target=producer, args=(q, 'pro', '馒头'))
 *       proc_con.daemon = True  # 设置守护进程，否则永远运行，join()也没用
 *       proc_con.start()
 *       proc_prod.start()
 *       # proc_con.join()        # 不要使用join()，否则永远运行
 *       proc_prod.join()         # 生产者要先把所有的数据都放到队列中
 *       q.join()                 # 阻塞直到放入队列中所有的数据都被处理掉
 *
 * The consumer blocks in getSync(), as Python's q.get(); the parent waits with the Promise
 * form `await q.join()` (`q.joinSync()` blocks instead). When the parent ends, the daemonic
 * consumer, still waiting for an 11th 馒头, ends with it.
 *
 *   npx tsx examples/queues/joinable.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { JoinableQueue, Process, isMainProcess } from 'multiprocessing-ts';

const uniform = (a: number, b: number): number => a + Math.random() * (b - a); // random.uniform

export async function consumer(q: JoinableQueue<string>, name: string): Promise<void> {
  while (true) {
    const food = q.getSync();
    await sleep(uniform(20, 40));
    console.log(`${name}吃了一个${food}`);
    q.taskDone(); // 通知队列已经有一个数据被处理了
  }
}

export async function producer(q: JoinableQueue<string>, name: string, food: string): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await sleep(uniform(20, 40));
    console.log(`${name}生产了${food}${i + 1}`);
    await q.put(food + String(i));
  }
}

if (isMainProcess()) {
  const q = new JoinableQueue<string>();
  const procCon = new Process({ target: consumer, args: [q, 'con'] });
  const procProd = new Process({ target: producer, args: [q, 'pro', '馒头'] });
  procCon.daemon = true; // 设置守护进程，否则永远运行，join()也没用
  procCon.start();
  procProd.start();
  // await procCon.join();  // 不要使用join()，否则永远运行
  await procProd.join(); // 生产者要先把所有的数据都放到队列中
  await q.join(); // 阻塞直到放入队列中所有的数据都被处理掉(有多少个数据就接收到了多少task_done)
  console.log('unfinished tasks:', q.unfinishedTasks); // 0
}
