/**
 * Seed 002 "pipe实现生产者消费者模型": both processes get both ends of one Pipe; the producer
 * closes pipe1 and sends on pipe2, the consumer closes pipe2 and receives on pipe1 until
 * EOFError. The parent closes both of its ends. Random sleeps up to 100 ms (Python: up to 1 s).
 *
 *   def producer(pipe1, pipe2, name, food):
 *       pipe1.close()
 *       for i in range(10):
 *           time.sleep(random.random())
 *           f = '{}{}{}'.format(name, food, i)
 *           print('\033[1;31m%s\033[0m' % f)
 *           pipe2.send(f)
 *       pipe2.close()
 *
 *   def consumer(pipe1, pipe2, name):
 *       pipe2.close()
 *       while True:
 *           try:
 *               f = pipe1.recv()
 *               print('\033[1;32m%s消费了%s\033[0m' % (name, f))
 *               time.sleep(random.random())
 *           except EOFError:
 *               pipe1.close()
 *               break
 *
 *   if __name__ == '__main__':
 *       pipe1, pipe2 = Pipe()
 *       p = Process(target=producer, args=(pipe1, pipe2, 'alex', '泔水'))
 *       xxx = Process(target=consumer, args=(pipe1, pipe2, 'egon'))
 *       p.start()
 *       xxx.start()
 *       pipe1.close()
 *       pipe2.close()
 *
 * The consumer sees EOF when the last holder of pipe2 lets go: the parent's and the
 * consumer's copies are closed at once, the producer's when it has sent its tenth. The
 * consumer blocks in recvSync(); the seed's "pipe数据不安全性" (two consumers on one end
 * need a lock) does not arise here: each recv() takes one whole message under the channel's
 * own lock, so several consumers on one end are safe.
 *
 *   npx tsx examples/pipe/producer-consumer.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection, EOFError, Pipe, Process, isMainProcess } from 'multiprocessing-ts';

export async function producer(pipe1: Connection<string>, pipe2: Connection<string>, name: string, food: string): Promise<void> {
  pipe1.close();
  for (let i = 0; i < 10; i++) {
    await sleep(Math.random() * 100);
    const f = `${name}${food}${i}`;
    console.log(`\x1b[1;31m${f}\x1b[0m`);
    pipe2.send(f);
  }
  pipe2.close();
}

export async function consumer(pipe1: Connection<string>, pipe2: Connection<string>, name: string): Promise<void> {
  pipe2.close();
  while (true) {
    try {
      const f = pipe1.recvSync();
      console.log(`\x1b[1;32m${name}消费了${f}\x1b[0m`);
      await sleep(Math.random() * 100);
    } catch (error) {
      if (!(error instanceof EOFError)) throw error;
      pipe1.close();
      break;
    }
  }
}

if (isMainProcess()) {
  const [pipe1, pipe2] = Pipe<string>();
  const p = new Process({ target: producer, args: [pipe1, pipe2, 'alex', '泔水'] });
  const xxx = new Process({ target: consumer, args: [pipe1, pipe2, 'egon'] });
  p.start();
  xxx.start();
  pipe1.close();
  pipe2.close();
}
