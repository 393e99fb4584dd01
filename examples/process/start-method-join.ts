/**
 * Seed 004 "1.2 常见功能" p.join(): choose the start method, start, join, then continue.
 * time.sleep(2) → 200 ms.
 *
 *   npx tsx examples/process/start-method-join.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, getAllStartMethods, getStartMethod, isMainProcess, setStartMethod } from 'multiprocessing-ts';

export async function task(arg: string): Promise<void> {
  await sleep(200);
  console.log('执行中...', arg);
}

if (isMainProcess()) {
  setStartMethod('spawn'); // multiprocessing.set_start_method("spawn")
  console.log('start methods:', getAllStartMethods(), '→ using', getStartMethod());
  const p = new Process({ target: task, args: ['xxx'] });
  p.start();
  await p.join();

  console.log('继续执行...');
}
