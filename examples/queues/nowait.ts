/**
 * Seed 000 "Queue多个进程间通信": one process puts ten random numbers into a Queue(5) with
 * put_nowait, two processes take them with get_nowait while qsize() is non-zero; a full or
 * empty queue is reported instead of waited for. Sleeps: 0.1 s → 20 ms.
 *
 *   def proc_put(q, data, proc_name):
 *       for dat in data:  # 数据发送完就跳出
 *           try:
 *               q.put_nowait(dat)  # 数据入队
 *               print(f"{proc_name}方发送数据{dat}")
 *           except:
 *               print(f"队列满了！")
 *           time.sleep(0.1)
 *
 *   def proc_get(q, proc_name):
 *       while q.qsize():  # 数据接收完(没有数据)就跳出
 *           try:
 *               dat = q.get_nowait()  # 数据出队
 *               print(f"{proc_name}方接收数据{dat}")
 *           except:
 *               print(f"队列空了！")
 *           time.sleep(0.1)
 *
 *   if __name__ == "__main__":
 *       q = Queue(5)
 *       data = [random.randint(1, 100) for i in range(10)]
 *       proc_send1 = Process(target=proc_put, args=(q, data, "process send1"))
 *       proc_recv1 = Process(target=proc_get, args=(q, "process recv1"))
 *       proc_recv2 = Process(target=proc_get, args=(q, "process recv2"))
 *       proc_send1.start()
 *       proc_recv1.start()
 *       proc_recv2.start()
 *       proc_send1.join()
 *       proc_recv1.join()
 *       proc_recv2.join()
 *
 * The seed's bare `except:` becomes a check for the two errors meant: Full from putNowait(),
 * Empty from getNowait() (another getter took the last item between qsize() and the get);
 * anything else is rethrown. As in Python, the outcome depends on timing: a getter that finds
 * the queue empty — before the sender's first put, or when it gets ahead of the sender — stops
 * for good, and what it leaves stays in the queue. The parent says how many.
 *
 *   npx tsx examples/queues/nowait.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Empty, Full, Process, Queue, isMainProcess } from 'multiprocessing-ts';

export async function procPut(q: Queue<number>, data: number[], procName: string): Promise<void> {
  for (const dat of data) {
    // 数据发送完就跳出
    try {
      q.putNowait(dat); // 数据入队
      console.log(`${procName}方发送数据${dat}`);
    } catch (error) {
      if (!(error instanceof Full)) throw error;
      console.log('队列满了！');
    }
    await sleep(20);
  }
}

export async function procGet(q: Queue<number>, procName: string): Promise<void> {
  while (q.qsize()) {
    // 数据接收完(没有数据)就跳出
    try {
      const dat = q.getNowait(); // 数据出队
      console.log(`${procName}方接收数据${dat}`);
    } catch (error) {
      if (!(error instanceof Empty)) throw error;
      console.log('队列空了！');
    }
    await sleep(20);
  }
}

if (isMainProcess()) {
  const q = new Queue<number>(5);
  const data = Array.from({ length: 10 }, () => 1 + Math.floor(Math.random() * 100)); // random.randint(1, 100)
  const procSend1 = new Process({ target: procPut, args: [q, data, 'process send1'] });
  const procRecv1 = new Process({ target: procGet, args: [q, 'process recv1'] });
  const procRecv2 = new Process({ target: procGet, args: [q, 'process recv2'] });
  procSend1.start();
  procRecv1.start();
  procRecv2.start();
  await procSend1.join();
  await procRecv1.join();
  await procRecv2.join();
  console.log(`left in the queue: ${q.qsize()}`);
}
