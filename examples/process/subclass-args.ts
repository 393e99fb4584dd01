/**
 * Seed 004 "自定义进程类": a subclass whose run() reads the args given to the constructor.
 *
 *   npx tsx examples/process/subclass-args.ts
 *
 * Python's run() reads self._args. Process keeps its own args private, so the subclass keeps
 * them in a field of its own; own fields travel to the child.
 */
import { Process, isMainProcess, setStartMethod, type ProcessOptions } from 'multiprocessing-ts';

export class MyProcess extends Process {
  readonly args: unknown[];

  constructor(options: ProcessOptions = {}) {
    super(options);
    this.args = options.args ?? [];
  }

  override run(): void {
    console.log('执行此进程', this.args);
  }
}

if (isMainProcess()) {
  setStartMethod('spawn');
  const p = new MyProcess({ args: ['xxx'] });
  p.start();
  console.log('继续执行...');
}
