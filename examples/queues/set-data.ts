/**
 * Seed 001 "队列": one child puts a string into a Queue, another gets it and prints it.
 *
 *   def setData(q, data):
 *       q.put(data)
 *
 *   def printData(q):
 *       print(q.get())
 *
 *   if __name__ == "__main__":
 *       data = 'python'
 *       q = Queue()
 *       p1 = Process(target=setData, args=(q, data,))
 *       p2 = Process(target=printData, args=(q,))
 *       p1.start()
 *       p2.start()
 *       p1.join()
 *       p2.join()
 *
 * The seed lists the other methods too; the parent shows a few of them afterwards: qsize(),
 * empty(), full(), close(), joinThread() (Python waits there for the feeder thread; here items
 * are in shared memory when put returns, so it returns at once) and cancelJoinThread() (a no-op).
 *
 *   npx tsx examples/queues/set-data.ts
 */
import { Process, Queue, isMainProcess } from 'multiprocessing-ts';

export function setData(q: Queue<string>, data: string): void {
  q.putSync(data);
}

export function printData(q: Queue<string>): void {
  console.log(q.getSync());
}

if (isMainProcess()) {
  const data = 'python';
  const q = new Queue<string>();
  const p1 = new Process({ target: setData, args: [q, data] });
  const p2 = new Process({ target: printData, args: [q] });
  p1.start();
  p2.start();
  await p1.join();
  await p2.join();
  console.log('qsize:', q.qsize(), 'empty:', q.empty(), 'full:', q.full()); // 0 true false
  q.close(); // 指示当前进程将不会再往队列中放入对象
  q.joinThread(); // 等待后台线程: nothing to wait for
  q.cancelJoinThread();
  console.log(q); // Queue(size=0, closed)
}
