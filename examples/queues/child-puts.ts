/**
 * Seed 004 "Queues(队列)": a child puts 0 … 9 into a Queue and exits; the parent joins it,
 * then gets five of them.
 *
 *   def task(q):
 *       for i in range(10):
 *           q.put(i)
 *
 *   if __name__ == '__main__':
 *       queue = multiprocessing.Queue()
 *       p = multiprocessing.Process(target=task, args=(queue,))
 *       p.start()
 *       p.join()
 *       print("主进程")
 *       print(queue.get())
 *       print(queue.get())
 *       print(queue.get())
 *       print(queue.get())
 *       print(queue.get())
 *
 * Joining a child before taking what it put is the pattern Python's documentation warns
 * about ("Joining processes that use queues", cpython#73983): Python's child hands items to
 * a feeder thread and, at exit, waits until they have all gone into an OS pipe, so with enough
 * data the join never returns. Here a put writes the item into shared memory before it returns
 * and the child waits for nobody: the same program works with ten items of 1 MiB each, shown
 * second (large messages go to overflow segments, removed as they are read; the five left
 * over are removed when the program ends).
 *
 *   npx tsx examples/queues/child-puts.ts
 */
import * as multiprocessing from 'multiprocessing-ts';

export function task(q: multiprocessing.Queue<number>): void {
  for (let i = 0; i < 10; i++) {
    q.putSync(i);
  }
}

export function bigTask(q: multiprocessing.Queue<Buffer>): void {
  for (let i = 0; i < 10; i++) {
    q.putSync(Buffer.alloc(1 << 20, i)); // 1 MiB of the byte i
  }
}

if (multiprocessing.isMainProcess()) {
  const queue = new multiprocessing.Queue<number>();
  const p = new multiprocessing.Process({ target: task, args: [queue] });
  p.start();
  await p.join();
  console.log('主进程');
  console.log(await queue.get());
  console.log(await queue.get());
  console.log(await queue.get());
  console.log(await queue.get());
  console.log(await queue.get());

  const big = new multiprocessing.Queue<Buffer>();
  const p2 = new multiprocessing.Process({ target: bigTask, args: [big] });
  p2.start();
  console.log('exitcode:', await p2.join()); // 0: the child did not wait for a reader
  for (let i = 0; i < 5; i++) {
    const buf = await big.get();
    console.log(`item ${i}: ${buf.length} bytes of ${buf[0]}`);
  }
}
