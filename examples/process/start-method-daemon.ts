/**
 * Seed 004 "1.2 常见功能" p.daemon = True: the main process does not wait; its daemonic child
 * ends with it, so "执行中..." never prints. time.sleep(2) → 200 ms.
 *
 *   npx tsx examples/process/start-method-daemon.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, isMainProcess, setStartMethod } from 'multiprocessing-ts';

export async function task(arg: string): Promise<void> {
  await sleep(200);
  console.log('执行中...', arg);
}

if (isMainProcess()) {
  setStartMethod('spawn');
  const p = new Process({ target: task, args: ['xxx'] });
  p.daemon = true;
  p.start();

  console.log('继续执行...');
}
