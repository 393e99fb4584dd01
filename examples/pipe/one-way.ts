/**
 * Seed 000 "Pipe两个进程间通信": a one-way pipe, a producer on its sending end, a consumer on
 * its receiving end. The parent closes both of its ends once the children have started; when
 * the producer is done (and gone), the consumer's recv() raises EOFError: 生产者跑路了.
 * Sleeps: 0.2 s → 50 ms.
 *
 *   def producer(pipe):
 *       for product in products:
 *           print('生产者发送:{}'.format(product))
 *           pipe.send(product)
 *           time.sleep(0.2)
 *
 *   def consumer(pipe):
 *       while True:
 *           try:
 *               item = pipe.recv()
 *               print('消费者接收:{}'.format(item))
 *               time.sleep(0.2)
 *           except EOFError as e:
 *               print('生产者跑路了')
 *               break
 *
 *   products = [random.randint(1, 10) for i in range(10)]
 *   if __name__ == "__main__":
 *       pipe = Pipe(duplex=False)
 *       process_producer = Process(target=producer, args=(pipe[1],), )
 *       process_consumer = Process(target=consumer, args=(pipe[0],), )
 *       process_producer.start()
 *       process_consumer.start()
 *       pipe[0].close()
 *       pipe[1].close()
 *       process_producer.join()
 *       process_consumer.join()
 *
 * Pipe(false) as Pipe(duplex=False): the first end only receives, the second only sends.
 * `products` is computed at the top of the module, so — as with Python's spawn, which imports
 * the main module again — the producer child draws its own random list. The producer never
 * closes its end: its exit does it. The consumer blocks in recvSync(), as Python's recv().
 *
 *   npx tsx examples/pipe/one-way.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection, EOFError, Pipe, Process, isMainProcess } from 'multiprocessing-ts';

export async function producer(pipe: Connection<number>): Promise<void> {
  for (const product of products) {
    console.log(`生产者发送:${product}`);
    pipe.send(product);
    await sleep(50);
  }
}

export async function consumer(pipe: Connection<number>): Promise<void> {
  while (true) {
    try {
      const item = pipe.recvSync();
      console.log(`消费者接收:${item}`);
      await sleep(50);
    } catch (error) {
      if (!(error instanceof EOFError)) throw error;
      console.log('生产者跑路了');
      break;
    }
  }
}

const products = Array.from({ length: 10 }, () => 1 + Math.floor(Math.random() * 10)); // random.randint(1, 10)

if (isMainProcess()) {
  const pipe = Pipe<number>(false);

  const processProducer = new Process({ target: producer, args: [pipe[1]] });
  const processConsumer = new Process({ target: consumer, args: [pipe[0]] });

  processProducer.start();
  processConsumer.start();

  pipe[0].close();
  pipe[1].close();

  await processProducer.join();
  await processConsumer.join();
}
