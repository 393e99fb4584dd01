/**
 * Seed 002 "双向通信": one Queue both ways. The child takes the parent's 1 and puts 'aaa'
 * back; the parent gets it.
 *
 *   def wahaha(q):
 *       print(q.get())  # 取值
 *       q.put('aaa')  # 增加一个aaa
 *
 *   if __name__ == '__main__':
 *       q = Queue()  # 创建共享的进程队列
 *       Process(target=wahaha, args=(q,)).start()
 *       # time.sleep(1)
 *       q.put(1)
 *       time.sleep(0.5)  # 等待0.5秒,让子进程执行完
 *       print(q.get())  # 取值
 *   # 1
 *   # aaa
 *
 * The seed's sleep(0.5) is a race: a child that has not taken the 1 within half a second
 * (a slow machine, a busy one) leaves it for the parent's get(), which returns 1 instead of
 * 'aaa' — and the child then waits for ever. Here the parent joins the child instead of
 * sleeping: once the child has ended, the only item left is its 'aaa'.
 *
 *   npx tsx examples/queues/two-way.ts
 */
import { Process, Queue, isMainProcess } from 'multiprocessing-ts';

export async function wahaha(q: Queue<number | string>): Promise<void> {
  console.log(await q.get()); // 取值
  await q.put('aaa'); // 增加一个aaa
}

if (isMainProcess()) {
  const q = new Queue<number | string>(); // 创建共享的进程队列
  const p = new Process({ target: wahaha, args: [q] });
  p.start();
  await q.put(1);
  await p.join(); // the seed: time.sleep(0.5)  # 等待0.5秒,让子进程执行完
  console.log(await q.get()); // 取值: aaa
}
