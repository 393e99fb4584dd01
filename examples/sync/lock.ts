/**
 * Seed 002 "用锁": five processes print "running" and "done" under one Lock, so each pair
 * comes out together (in whatever order the processes get the lock). time.sleep(random.random())
 * → up to 300 ms.
 *
 *   def work(n, l):
 *       l.acquire()  # 取得锁
 *       print('%s: %s is running' % (n, os.getpid()))
 *       time.sleep(random.random())
 *       print('%s:%s is done' % (n, os.getpid()))
 *       l.release()  # 释放锁
 *
 *   if __name__ == '__main__':
 *       lock = Lock()  # 创建锁
 *       for i in range(5):
 *           p = Process(target=work, args=(i, lock))
 *           p.start()
 *
 * The child blocks in acquireSync() as Python's acquire() does: it has nothing else to do.
 * (`await l.acquire()` is the same wait without blocking the child's event loop.)
 *
 *   npx tsx examples/sync/lock.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Lock, Process, isMainProcess } from 'multiprocessing-ts';

export async function work(n: number, l: Lock): Promise<void> {
  l.acquireSync(); // 取得锁
  console.log(`${n}: ${process.pid} is running`);
  await sleep(Math.random() * 300);
  console.log(`${n}:${process.pid} is done`);
  l.release(); // 释放锁
}

if (isMainProcess()) {
  const lock = new Lock(); // 创建锁
  for (let i = 0; i < 5; i++) {
    const p = new Process({ target: work, args: [i, lock] });
    p.start();
  }
}
