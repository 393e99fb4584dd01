/**
 * Seed 004 "CPU个数": start cpu_count() - 1 processes.
 *
 *   npx tsx examples/process/cpu-count.ts
 */
import { Process, cpuCount, currentProcess, isMainProcess } from 'multiprocessing-ts';

export function xxxx(): void {
  console.log(`${currentProcess().name} (pid ${process.pid}) running`);
}

if (isMainProcess()) {
  const count = cpuCount(); // multiprocessing.cpu_count()
  console.log('cpu_count:', count);
  for (let i = 0; i < count - 1; i++) {
    const p = new Process({ target: xxxx });
    p.start();
  }
}
