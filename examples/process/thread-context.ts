/**
 * The same Process code on the 'thread' start method: getContext('thread') gives the whole API
 * bound to worker threads (Python has no such start method; the API is identical). A thread
 * child shares its parent's pid; each has its own module state, like a process.
 *
 *   npx tsx examples/process/thread-context.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { threadId } from 'node:worker_threads';
import { ThreadProcess, currentProcess, getContext, isMainProcess, parentProcess } from 'multiprocessing-ts';

const ctx = getContext('thread');

export async function subProcess(arg1: string, arg2: number): Promise<void> {
  console.log(`正在运行子进程......`);
  console.log(`子进程PID：${process.pid}，线程ID：${threadId}，父进程：${parentProcess()?.name} ${parentProcess()?.pid}`);
  console.log(`当前进程的名称：${currentProcess().name}`);
  await sleep(300);
  console.log(`子进程的参数：${arg1}, ${arg2}`);
}

/** A subclass on the thread start method: extend ThreadProcess (or ctx.Process). */
export class MyThreadProcess extends ThreadProcess {
  constructor(readonly word: string) {
    super({ name: 'MyThread' });
  }

  override run(): void {
    console.log(`process name:${this.name}, PID:${this.pid}, word:${this.word}`);
  }
}

if (isMainProcess()) {
  console.log('start method:', ctx.getStartMethod());
  console.log(`主进程PID：${process.pid}，线程ID：${threadId}，名称：${currentProcess().name}`);
  const p = new ctx.Process({ target: subProcess, args: ['hello', 12] });
  p.start();
  const code = await p.join(100); // times out: the child sleeps 300 ms
  console.log('join(100):', code, 'is_alive:', p.isAlive(), 'exitcode:', p.exitcode);
  await p.join();
  console.log('join():', p.exitcode, 'is_alive:', p.isAlive());

  const s = new MyThreadProcess('你好');
  s.start();
  await s.join();

  const d = new ctx.Process({ target: subProcess, args: ['daemon', 0], daemon: true });
  d.start();
  d.terminate();
  await d.join();
  console.log('terminated thread exitcode:', d.exitcode); // -15, as a process would report
}
