/**
 * 继承Process开启一个子进程 — seed 000 "Process1": subclass Process and override run().
 *
 *   npx tsx examples/process/subclass.ts
 *
 * The class is exported: the child finds it by reference (as pickle does) and rebuilds the
 * object from its own fields (arg1, arg2) without running the constructor again.
 */
import { Process, isMainProcess } from 'multiprocessing-ts';

/** 自定义类 继承Process类 */
export class MyProcess extends Process {
  constructor(
    readonly arg1: number,
    readonly arg2: number,
  ) {
    super();
  }

  /** 必须实现一个run方法，run方法中是在子进程中执行的代码 */
  override run(): void {
    console.log(`process name:${this.name}, PID:${this.pid},args:(${this.arg1}, ${this.arg2})`);
  }
}

if (isMainProcess()) {
  // The seed writes MyProcess(1, 2, 3, 4), which is a TypeError in Python too (__init__ takes
  // two arguments); here the compiler rejects it, so the port passes the two it uses.
  const p = new MyProcess(1, 2);
  p.start();
  // No join(): like Python, the main process still waits for a non-daemonic child at exit.
}
