/**
 * Seed 002 "KTV": a Semaphore(4) lets four people sing at once; the other two wait outside
 * until someone leaves. time.sleep(random.random()) → up to 500 ms.
 *
 *   def ktv(p, s):
 *       s.acquire()  # 取得锁
 *       print('person %s 进来唱歌了' % p)
 *       time.sleep(random.random())
 *       print('person %s 从ktv出去了' % p)
 *       s.release()  # 释放锁
 *
 *   if __name__ == '__main__':
 *       sem = Semaphore(4)  # 初始化信号量，数量为4
 *       for i in range(6):  # 模拟6个人
 *           Process(target=ktv, args=(i, sem)).start()
 *
 *   npx tsx examples/sync/ktv.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, Semaphore, isMainProcess } from 'multiprocessing-ts';

export async function ktv(p: number, s: Semaphore): Promise<void> {
  await s.acquire(); // 取得锁 (waits without blocking this child's event loop)
  try {
    console.log(`person ${p} 进来唱歌了`);
    await sleep(Math.random() * 500);
    console.log(`person ${p} 从ktv出去了`);
  } finally {
    s.release(); // 释放锁
  }
}

if (isMainProcess()) {
  const sem = new Semaphore(4); // 初始化信号量，数量为4
  const people: Process[] = [];
  for (let i = 0; i < 6; i++) {
    // 模拟6个人
    const p = new Process({ target: ktv, args: [i, sem] });
    p.start();
    people.push(p);
  }
  for (const p of people) await p.join();
  console.log('sem.getValue():', sem.getValue()); // 4: everyone has left
}
