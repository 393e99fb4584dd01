/**
 * Seed 003 "子进程（Process）": info() in both processes, join with a timeout, then name,
 * is_alive and exitcode of a child that is still running. daemon = false (the default), so the
 * main process waits for the child at exit and "hello bob" comes last.
 *
 * Python's join(1) waits 1 second; here timeouts are milliseconds: join(1000).
 * time.sleep(3) → 1500 ms (still longer than the join timeout, so is_alive is true).
 *
 *   npx tsx examples/process/join-timeout.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, isMainProcess } from 'multiprocessing-ts';

export function info(): void {
  // Python prints __name__: '__main__' in the main process, '__mp_main__' in the child, which
  // imported the main module. isMainProcess() is the TypeScript form of that test.
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
  // p.daemon = false
  console.log(p.daemon);
  p.start();
  const code = await p.join(1000); // null: the timeout passed first (Python's join returns None)
  console.log('join(1000) returned:', code);
  console.log('name:', p.name);
  console.log('is_alive:', p.isAlive());
  console.log('exitcode:', p.exitcode);
}
