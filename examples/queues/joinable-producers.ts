/**
 * Seed 002 "JoinableQueue队列实现消费之生产者模型": two producers (alex, egon) each put ten
 * items and then wait in q.join() until every item has been processed; two daemonic consumers
 * call task_done() for each item. The parent joins the producers only: when they return,
 * everything has been consumed, and the consumers end with the parent. Random sleeps up to
 * 100 ms (Python: up to 1 s).
 *
 *   def producer(name, food, q):
 *       for i in range(1, 11):
 *           time.sleep(random.random())
 *           print('\033[1;31m{}生产{}{}\033[0m'.format(name, food, i))
 *           q.put('{}{}{}'.format(name, food, i))
 *       q.join()
 *
 *   def consumer(name, q):
 *       while True:
 *           get_info = q.get()
 *           time.sleep(random.random())
 *           print('\033[1;32m{}消费{}\033[0m'.format(name, get_info))
 *           q.task_done()
 *
 *   if __name__ == '__main__':
 *       q = JoinableQueue()
 *       p1 = Process(target=producer, args=('alex', 'jiaozi', q))
 *       p2 = Process(target=producer, args=('egon', 'bread', q))
 *       p1.start()
 *       p2.start()
 *       c1 = Process(target=consumer, args=('aoa', q))
 *       c2 = Process(target=consumer, args=('kuraki', q))
 *       c1.daemon = True
 *       c2.daemon = True
 *       c1.start()
 *       c2.start()
 *       p1.join()
 *       p2.join()
 *
 * The producers wait with the Promise form `await q.join()`; the consumers block in
 * `q.getSync()`. 结束顺序 (the seed's order of ending): every item consumed → the producers'
 * join() returns → the main code ends → the consumers end → the main process ends.
 *
 *   npx tsx examples/queues/joinable-producers.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { JoinableQueue, Process, isMainProcess } from 'multiprocessing-ts';

export async function producer(name: string, food: string, q: JoinableQueue<string>): Promise<void> {
  for (let i = 1; i < 11; i++) {
    await sleep(Math.random() * 100);
    console.log(`\x1b[1;31m${name}生产${food}${i}\x1b[0m`);
    await q.put(`${name}${food}${i}`);
  }
  await q.join();
}

export async function consumer(name: string, q: JoinableQueue<string>): Promise<void> {
  while (true) {
    const getInfo = q.getSync();
    await sleep(Math.random() * 100);
    console.log(`\x1b[1;32m${name}消费${getInfo}\x1b[0m`);
    q.taskDone();
  }
}

if (isMainProcess()) {
  const q = new JoinableQueue<string>();
  const p1 = new Process({ target: producer, args: ['alex', 'jiaozi', q] });
  const p2 = new Process({ target: producer, args: ['egon', 'bread', q] });
  p1.start();
  p2.start();
  const c1 = new Process({ target: consumer, args: ['aoa', q] });
  const c2 = new Process({ target: consumer, args: ['kuraki', q] });
  c1.daemon = true;
  c2.daemon = true;
  c1.start();
  c2.start();
  await p1.join();
  await p2.join();
  console.log('unfinished tasks:', q.unfinishedTasks); // 0
}
