/**
 * Seed 003, second variant: the same child with daemon = true and no join. The main process
 * prints is_alive: true, then ends, and the daemonic child ends with it before it prints
 * anything ("hello bob" never appears).
 *
 *   npx tsx examples/process/daemon-info.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, isMainProcess } from 'multiprocessing-ts';

export function info(): void {
  console.log('module name:', isMainProcess() ? '__main__' : '__mp_main__');
  console.log('parent process:', process.ppid);
  console.log('process id:', process.pid);
}

export async function f(name: string): Promise<void> {
  info();
  await sleep(1500);
  console.log('hello', name);
}

if (isMainProcess()) {
  info();
  const p = new Process({ target: f, args: ['bob'] });
  p.daemon = true;
  console.log(p.daemon);
  p.start();
  // p.join(1000)
  console.log('name:', p.name);
  console.log('is_alive:', p.isAlive());
  console.log('exitcode:', p.exitcode);
}
