/**
 * Seed 001 "加锁": three processes print "start" and "end" under one Lock; without it the
 * lines of different processes interleave. time.sleep(2) → 300 ms.
 *
 *   def target(lock):
 *       lock.acquire()
 *       print('p%s is start' % os.getpid())
 *       time.sleep(2)
 *       print('p%s is end' % os.getpid())
 *       lock.release()
 *
 *   if __name__ == '__main__':
 *       lock = Lock()
 *       for i in range(3):
 *           p = Process(target=target, args=(lock,))
 *           p.start()
 *
 * Here with withLock(), the form of Python's `with lock:`: it releases even if the body throws.
 *
 *   npx tsx examples/sync/lock-start-end.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Lock, Process, isMainProcess } from 'multiprocessing-ts';

export async function target(lock: Lock): Promise<void> {
  await lock.withLock(async () => {
    console.log(`p${process.pid} is start`);
    await sleep(300);
    console.log(`p${process.pid} is end`);
  });
}

if (isMainProcess()) {
  const lock = new Lock();
  for (let i = 0; i < 3; i++) {
    const p = new Process({ target, args: [lock] });
    p.start();
  }
}
