/**
 * 使用Process开启一个子进程 — seed 000 "Process0": start a child with arguments, print the
 * pids of both sides, wait for it with join().
 *
 *   npx tsx examples/process/pid-ppid.ts
 */
import { inspect } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, isMainProcess } from 'multiprocessing-ts';

// Python: def sub_process(arg1, arg2). Exported: the child finds it by reference, as pickle does.
export async function subProcess(arg1: string, arg2: number): Promise<void> {
  console.log(`正在运行子进程......`);
  console.log(`子进程PID：${process.pid}，父进程PID：${process.ppid}`);
  await sleep(500); // time.sleep(5)
  console.log(`子进程的参数：${inspect([arg1, arg2])}`);
}

if (isMainProcess()) {
  console.log(`正在运行主进程......`);
  console.log(`主进程PID：${process.pid}`);
  console.log(`准备运行子进程......`);
  const p = new Process({
    target: subProcess,
    args: ['hello', 12],
  });
  console.log(`开始运行子进程......`);
  p.start();
  console.log(`主进程等待子进程结束......`);
  await p.join();
  console.log(`子进程运行结束......`);
  console.log(`主进程运行即将结束......`);
}
