/**
 * Seed 002 "队列": a child takes an item from a Queue the parent puts into, and prints it with
 * its pid and its parent's pid.
 *
 *   def wahaha(q):
 *       print(q.get(), os.getpid(), os.getppid())
 *
 *   if __name__ == '__main__':
 *       q = Queue()  # 创建共享的进程队列
 *       Process(target=wahaha, args=(q,)).start()
 *       q.put(1)
 *       print(os.getpid())
 *   # 9732
 *   # 1 184 9732
 *
 * The child blocks in getSync() as Python's q.get() does: it has nothing else to do until the
 * item comes. As in Python, the parent does not join: a non-daemonic child is waited for
 * before the parent exits.
 *
 *   npx tsx examples/queues/child-get.ts
 */
import { Process, Queue, isMainProcess } from 'multiprocessing-ts';

export function wahaha(q: Queue<number>): void {
  console.log(q.getSync(), process.pid, process.ppid);
}

if (isMainProcess()) {
  const q = new Queue<number>(); // 创建共享的进程队列
  new Process({ target: wahaha, args: [q] }).start();
  await q.put(1);
  console.log(process.pid);
}
