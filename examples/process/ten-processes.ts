/**
 * Seed 001 "Process 类": start 10 children, keep them in a list, join them all.
 * time.sleep(2) → 300 ms.
 *
 *   npx tsx examples/process/ten-processes.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, isMainProcess } from 'multiprocessing-ts';

export async function target(): Promise<void> {
  await sleep(300);
  console.log('子进程ID：', process.pid);
}

if (isMainProcess()) {
  console.log('主进程ID：', process.pid);
  const ps: Process[] = [];
  for (let i = 0; i < 10; i++) {
    const p = new Process({ target });
    p.start();
    ps.push(p);
  }
  for (const p of ps) {
    await p.join();
  }
}
