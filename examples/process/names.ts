/**
 * Seed 004 "进程的名称的设置和获取": name a child before start; inside it, start 10 threads, print
 * the pids, the thread count and currentProcess().name.
 *
 * Python's threading.Thread becomes a child of the 'thread' start method here (a worker thread
 * of the child process), and threading.enumerate() — every live thread, the main one included —
 * becomes activeChildren() plus the child's own main thread. Sleeps: 3 s → 300 ms, 2 s → 200 ms.
 *
 *   npx tsx examples/process/names.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, activeChildren, currentProcess, getContext, isMainProcess, setStartMethod } from 'multiprocessing-ts';

export async function func(): Promise<void> {
  await sleep(300);
}

export async function task(arg: string): Promise<void> {
  const threading = getContext('thread');
  for (let i = 0; i < 10; i++) {
    const t = new threading.Process({ target: func });
    t.start();
  }
  console.log(process.pid, process.ppid); // os.getpid(), os.getppid()
  console.log('线程个数', activeChildren().length + 1); // len(threading.enumerate())
  await sleep(200);
  console.log('当前进程的名称：', currentProcess().name, `(arg=${arg})`);
  // Like Python, the child waits for its non-daemonic threads before it exits.
}

if (isMainProcess()) {
  console.log(process.pid);
  setStartMethod('spawn');
  const p = new Process({ target: task, args: ['xxx'] });
  p.name = '哈哈哈哈';
  p.start();

  console.log('继续执行...');
  console.log('主进程的名称：', currentProcess().name); // 'MainProcess'
}
