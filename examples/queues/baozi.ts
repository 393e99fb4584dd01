/**
 * Seed 002 "生产者消费者模型": a producer puts ten 包子 into a Queue and then None; the
 * consumer eats until it gets None. Random sleeps up to 100 ms (Python: up to 1 s).
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
 *       q.put(None)
 *
 *   if __name__ == '__main__':
 *       q = Queue()
 *       p = Process(target=producer, args=(q,))
 *       xxx = Process(target=consumer, args=(q,))
 *       p.start()
 *       xxx.start()
 *
 * None is null. The consumer waits with the Promise form, `await q.get()`, so that its own
 * `await sleep()` reads the same way; `q.getSync()` would block the same child just as well.
 * (The seed's red has no reset: here `\x1b[0m` ends it, so the terminal is not left red.)
 *
 *   npx tsx examples/queues/baozi.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, Queue, isMainProcess } from 'multiprocessing-ts';

export async function consumer(q: Queue<string | null>): Promise<void> {
  while (true) {
    const baoZi = await q.get();
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
  await q.put(null);
}

if (isMainProcess()) {
  const q = new Queue<string | null>();
  const p = new Process({ target: producer, args: [q] });
  const xxx = new Process({ target: consumer, args: [q] });
  p.start();
  xxx.start();
}
