/**
 * Seed 004 "4. 进程池", the lock program as the seed writes it: ten calls in a
 * ProcessPoolExecutor each take a manager's RLock, read a number from a file, decrement it,
 * and write it back ("如果在进程池中要使用进程锁，则必须要基于Manager中的Lock（互斥锁）和RLock（递归锁）来实现").
 *
 *   def task(lock):
 *       print("开始")
 *       # lock.acquire()
 *       # lock.relase()
 *       with lock:
 *           # 假设文件中保存的内容就是一个值：10
 *           with open('f1.txt', mode='r', encoding='utf-8') as f:
 *               current_num = int(f.read())
 *           print("排队抢票了")
 *           time.sleep(1)
 *           current_num -= 1
 *           with open('f1.txt', mode='w', encoding='utf-8') as f:
 *               f.write(str(current_num))
 *
 *   if __name__ == '__main__':
 *       pool = ProcessPoolExecutor()
 *       # lock_object = multiprocessing.RLock() # 不能使用
 *       manager = multiprocessing.Manager()
 *       lock_object = manager.RLock() # Lock
 *       for i in range(10):
 *           pool.submit(task, lock_object)
 *
 * The manager's RLock proxy crosses to the pool's workers as an argument and connects to the
 * manager from there. (This library's own RLock would do too, without a manager:
 * examples/futures/lock.ts.) The file starts at 10 and ends at 0: no update is lost.
 * time.sleep(1) → 50 ms. f1.txt lives in a temporary directory, removed at the end. The seed
 * never waits for its calls (its manager and pool are torn down at exit); here shutdown()
 * waits, so the final count can be printed before the manager goes.
 *
 *   npx tsx examples/managers/executor-rlock.ts
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Manager, ProcessPoolExecutor, isMainProcess, type AcquirerProxy } from 'multiprocessing-ts';

export async function task(lock: AcquirerProxy, file: string): Promise<void> {
  console.log('开始');
  await lock.withLock(async () => {
    // 假设文件中保存的内容就是一个值：10
    let currentNum = Number(readFileSync(file, 'utf8'));
    console.log('排队抢票了');
    await sleep(50);
    currentNum -= 1;
    writeFileSync(file, String(currentNum));
  });
}

if (isMainProcess()) {
  const dir = mkdtempSync(join(tmpdir(), 'f1-'));
  const file = join(dir, 'f1.txt');
  writeFileSync(file, '10');
  try {
    const pool = new ProcessPoolExecutor();
    // const lockObject = new RLock() // works here too (examples/futures/lock.ts)
    await using manager = await Manager();
    const lockObject = await manager.RLock(); // Lock
    for (let i = 0; i < 10; i++) {
      pool.submit(task, lockObject, file);
    }
    await pool.shutdown({ wait: true });
    console.log('f1.txt:', readFileSync(file, 'utf8')); // 0
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
