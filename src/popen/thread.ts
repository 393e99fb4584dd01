/** Launches a child as a worker thread running spawn/thread-main. */
import type { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { tryNative } from '../native.js';
import { threadExecArgv } from './exec-argv.js';
import type { LaunchOptions, Popen, ThreadMessages } from './popen.js';

const entry = new URL('../spawn/thread-main.cjs', import.meta.url);
// Loaded on first start: a spawn-only program never pays for node:worker_threads.
const require = createRequire(import.meta.url);

/**
 * Resolves once the worker's stdout and stderr have ended here, i.e. all it wrote has been
 * passed on to this process's own streams: so what a parent prints after join() comes after
 * the child's last output, as with a child process. Bounded, in case a stream never ends.
 */
function outputDrained(worker: Worker): Promise<void> {
  const open = [worker.stdout, worker.stderr].filter((stream) => !stream.readableEnded && !stream.destroyed);
  if (open.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    let left = open.length;
    const timer = setTimeout(resolve, 1000).unref();
    const ended = (): void => {
      if (--left > 0) return;
      clearTimeout(timer);
      resolve();
    };
    for (const stream of open) stream.once('end', ended);
  });
}

/**
 * Resolves once the kernel thread `tid` is gone. A Worker's 'exit' comes when its thread has
 * been joined, a moment before the kernel has finished with it; until then a robust lock it
 * held still looks held by a live thread. Bounded; 0 (not reported) resolves at once.
 */
async function threadGone(tid: number): Promise<void> {
  const binding = tid === 0 ? null : tryNative();
  for (let waited = 0; binding !== null && waited < 1000 && binding.threadAlive(tid); waited++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

export class ThreadPopen implements Popen, ThreadMessages {
  readonly #worker: Worker;
  #exitcode: number | null = null;
  // A thread cannot be signalled; stopping it reports the signal Python would show.
  #stoppedBy: number | null = null;
  readonly exited: Promise<number>;

  constructor(options: LaunchOptions) {
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    const execArgv = threadExecArgv();
    const tidSlot = new Int32Array(new SharedArrayBuffer(4));
    this.#worker = new Worker(entry, {
      workerData: { payload: options.payload, execArgv, tidSlot },
      execArgv,
      stdin: false,
      resourceLimits: options.resourceLimits,
    });
    this.exited = new Promise((resolve) => {
      this.#worker.once('exit', (code) => {
        const exitcode = this.#stoppedBy !== null ? -this.#stoppedBy : code;
        this.#exitcode = exitcode;
        void Promise.all([outputDrained(this.#worker), threadGone(Atomics.load(tidSlot, 0))]).then(() => resolve(exitcode));
      });
    });
    // The bootstrap reports its own errors; this only keeps Node from treating them as unhandled.
    this.#worker.on('error', (error) => {
      process.stderr.write(`${error.stack ?? String(error)}\n`);
    });
    this.setKeepsParentAlive(!options.daemon);
  }

  get pid(): number {
    return process.pid;
  }

  get threadId(): number {
    return this.#worker.threadId;
  }

  get exitcode(): number | null {
    return this.#exitcode;
  }

  #stop(signal: number): void {
    if (this.#exitcode !== null || this.#stoppedBy !== null) return;
    this.#stoppedBy = signal;
    void this.#worker.terminate();
  }

  terminate(): void {
    this.#stop(constants.signals.SIGTERM);
  }

  kill(): void {
    this.#stop(constants.signals.SIGKILL);
  }

  post(message: unknown, transfer: readonly ArrayBuffer[]): void {
    this.#worker.postMessage(message, transfer as ArrayBuffer[]);
  }

  onMessage(listener: (message: unknown) => void): void {
    this.#worker.on('message', listener);
  }

  setKeepsParentAlive(keep: boolean): void {
    if (keep) this.#worker.ref();
    else this.#worker.unref();
  }
}
