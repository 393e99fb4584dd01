/**
 * Seed 002 "主进程在生产者生产完毕后发送结束信号None": two producers, two consumers. The
 * parent waits for both producers, then puts one None per consumer. Random sleeps up to
 * 100 ms (Python: up to 1 s).
 *
 *   def consumer(q):
 *       while True:
 *           bao_zi = q.get()
 *           if bao_zi is None: break
 *           time.sleep(random.random())
 *           print('\033[1;32m{}消费了{}\033[0m'.format(os.getpid(), bao_zi))
 *
 *   def producer(q):
 *       for i in range(1, 11):
 *           time.sleep(random.random())
 *           bao_zi = '{}{}'.format('包子', i)
 *           q.put(bao_zi)
 *           print('\033[1;31m{}生产了{}'.format(os.getpid(), bao_zi))
 *
 *   if __name__ == '__main__':
 *       q = Queue()
 *       p1 = Process(target=producer, args=(q,))
 *       p2 = Process(target=producer, args=(q,))
 *       c1 = Process(target=consumer, args=(q,))
 *       c2 = Process(target=consumer, args=(q,))
 *       p1.start()
 *       p2.start()
 *       c1.start()
 *       c2.start()
 *       # 等待两个生产者全部生产完毕
 *       p1.join()
 *       p2.join()
 *       # 发送结束信号到队列最后
 *       # 有几个消费者就应该发送几次结束信号None
 *       q.put(None)
 *       q.put(None)
 *
 * Here the consumers block in getSync() as Python's q.get() does, and the producers use the
 * Promise form; the parent puts with the Promise form and also joins the consumers at the end.
 * The sentinels go after every 包子 (the queue is FIFO), so each consumer eats until it meets
 * one, whichever consumer takes which 包子.
 *
 *   npx tsx examples/queues/baozi-sentinels.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, Queue, isMainProcess } from 'multiprocessing-ts';

export async function consumer(q: Queue<string | null>): Promise<void> {
  while (true) {
    const baoZi = q.getSync();
    if (baoZi === null) break;
    await sleep(Math.random() * 100);
    console.log(`\x1b[1;32m${process.pid}消费了${baoZi}\x1b[0m`);
  }
}

export async function producer(q: Queue<string | null>): Promise<void> {
  for (let i = 1; i < 11; i++) {
    await sleep(Math.random() * 100);
    const baoZi = `包子${i}`;
    await q.put(baoZi);
    console.log(`\x1b[1;31m${process.pid}生产了${baoZi}\x1b[0m`);
  }
}

if (isMainProcess()) {
  const q = new Queue<string | null>();
  const p1 = new Process({ target: producer, args: [q] });
  const p2 = new Process({ target: producer, args: [q] });
  const c1 = new Process({ target: consumer, args: [q] });
  const c2 = new Process({ target: consumer, args: [q] });
  p1.start();
  p2.start();
  c1.start();
  c2.start();

  // 等待两个生产者全部生产完毕
  await p1.join();
  await p2.join();
  // 发送结束信号到队列最后
  // 有几个消费者就应该发送几次结束信号None
  await q.put(null);
  await q.put(null);
  await c1.join();
  await c2.join();
  console.log('qsize:', q.qsize()); // 0
}
