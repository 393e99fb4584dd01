/** Launches a child as a new Node.js process running spawn/process-main. */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { childExecArgv } from './exec-argv.js';
import type { LaunchOptions, Popen } from './popen.js';

const entry = fileURLToPath(new URL('../spawn/process-main.js', import.meta.url));

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}

export class SpawnPopen implements Popen {
  readonly #child: ChildProcess;
  #exitcode: number | null = null;
  readonly exited: Promise<number>;

  constructor(options: LaunchOptions) {
    // The child learns its parent's pid so it can tell if it was orphaned before it could
    // arrange to die with its parent. stdin is /dev/null, as in Python's children.
    this.#child = spawn(process.execPath, [...childExecArgv(), entry, String(process.pid)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    this.exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#exitcode = code ?? -signalNumber(signal ?? 'SIGKILL');
        resolve(this.#exitcode);
      });
      this.#child.once('error', (error) => {
        // Spawning itself failed (e.g. EAGAIN): report it like an uncaught error in the child.
        if (this.#exitcode !== null || this.#child.pid !== undefined) return;
        process.stderr.write(`Failed to start a child process: ${error.message}\n`);
        this.#exitcode = 1;
        resolve(1);
      });
    });
    this.#child.send(options.payload);
    // The IPC channel never holds the parent up: the child handle does, unless daemonic.
    this.#child.channel?.unref();
    this.setKeepsParentAlive(!options.daemon);
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  get exitcode(): number | null {
    return this.#exitcode;
  }

  /** The live child handle, for passing sockets and servers (P9). */
  get child(): ChildProcess {
    return this.#child;
  }

  terminate(): void {
    if (this.#exitcode === null) this.#child.kill('SIGTERM');
  }

  kill(): void {
    if (this.#exitcode === null) this.#child.kill('SIGKILL');
  }

  setKeepsParentAlive(keep: boolean): void {
    if (keep) this.#child.ref();
    else this.#child.unref();
  }
}
