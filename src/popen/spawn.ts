/** Launches a child as a new Node.js process running spawn/process-main. */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { childExecArgv } from './exec-argv.js';
import type { LaunchOptions, Popen } from './popen.js';

const entry = fileURLToPath(new URL('../spawn/process-main.cjs', import.meta.url));
// Loaded on first start: a thread-only program or a child never pays for node:child_process.
const require = createRequire(import.meta.url);

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}

function launch(): ChildProcess {
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  // The child learns its parent's pid so it can tell if it was orphaned before it could
  // arrange to die with its parent. stdin is /dev/null, as in Python's children. The payload
  // goes through a plain pipe on fd 3: an IPC channel would cost every child ~10 ms of
  // start-up, so one is opened only when a later feature needs to pass handles.
  const child = spawn(process.execPath, [...childExecArgv(), entry, String(process.pid)], {
    stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
  });
  const channel = child.stdio[3] as NodeJS.WritableStream & { unref?(): void };
  channel.on('error', () => {}); // a child that dies early closes it: its exit code tells why
  channel.unref?.();
  return child;
}

// 'forkserver': one child booted ahead of time, blocked reading its payload. It holds nothing
// up (unref'd) and dies with this process like any child.
let spare: ChildProcess | null = null;

function takeSpare(): ChildProcess {
  const taken = spare;
  spare = null;
  setImmediate(() => {
    spare ??= launch();
    spare.unref();
  });
  if (taken !== null && taken.exitCode === null && taken.signalCode === null) return taken;
  return launch();
}

process.on('exit', () => spare?.kill('SIGKILL'));

export class SpawnPopen implements Popen {
  readonly #child: ChildProcess;
  #exitcode: number | null = null;
  readonly exited: Promise<number>;

  constructor(options: LaunchOptions, warm = false) {
    this.#child = warm ? takeSpare() : launch();
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
    (this.#child.stdio[3] as NodeJS.WritableStream).end(options.payload);
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
