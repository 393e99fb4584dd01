/**
 * Seed 004 "1.1 进程介绍": the two smallest programs — start a process from the guarded main
 * block, and start one from a helper function called there.
 *
 *   npx tsx examples/process/intro.ts
 */
import { Process, isMainProcess } from 'multiprocessing-ts';

export function task(arg?: string): void {
  // The seed's tasks are `pass`; print something so the run shows they ran.
  console.log('task', arg ?? '(no args)', 'in', process.pid);
}

function run(): Process {
  const p = new Process({ target: task, args: ['xxx'] });
  p.start();
  return p;
}

if (isMainProcess()) {
  // multiprocessing.Process(target=task).start()
  const p1 = new Process({ target: task });
  p1.start();

  // def run(): Process(target=task, args=('xxx',)).start()
  run();
}
