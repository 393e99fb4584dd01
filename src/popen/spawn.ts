/** Launches a child as a new Node.js process running spawn/process-main. */
import type { ChildProcess } from 'node:child_process';
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { native } from '../native.js';
import { CHILD_TRACKER_FD, ensureTracker } from '../resource-tracker/client.js';
import { childExecArgv } from './exec-argv.js';
import type { LaunchOptions, Popen } from './popen.js';

const entry = fileURLToPath(new URL('../spawn/process-main.js', import.meta.url));
// Loaded on first start: a thread-only program or a child never pays for node:child_process.
const require = createRequire(import.meta.url);

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}

interface Launched {
  readonly child: ChildProcess;
  /** Our end of the child's payload pipe (its fd 3). */
  readonly payloadFd: number;
}

function launch(): Launched {
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  // The child learns its parent's pid so it can tell if it was orphaned before it could
  // arrange to die with its parent. stdin is /dev/null, as in Python's children. The payload
  // goes through a plain pipe on fd 3: an IPC channel would cost every child ~10 ms of
  // start-up, so one is opened only when a later feature needs to pass handles.
  // Children share this process's resource tracker (fd 4, see resource-tracker), so what they
  // create outlives them until the whole program has exited.
  const tracker = ensureTracker();
  const args = [...childExecArgv(), entry, String(process.pid), ...(tracker === null ? [] : [String(CHILD_TRACKER_FD)])];
  const [readEnd, payloadFd] = native().pipe();
  try {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'inherit', 'inherit', readEnd, ...(tracker === null ? [] : [tracker])],
    });
    return { child, payloadFd };
  } finally {
    native().closeFd(readEnd);
  }
}

/**
 * Writes the payload with blocking writes, so start() is done when it returns, as in Python:
 * a parent may block its event loop right after (a lock's acquireSync, an event's waitSync)
 * and the child still starts. A child that died early gives EPIPE; its exit code tells why.
 */
function sendPayload(fd: number, payload: Uint8Array): void {
  try {
    for (let sent = 0; sent < payload.length; ) sent += writeSync(fd, payload, sent);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  } finally {
    native().closeFd(fd);
  }
}

// 'forkserver': one child booted ahead of time, blocked reading its payload. It holds nothing
// up (unref'd) and dies with this process like any child.
let spare: Launched | null = null;

function takeSpare(): Launched {
  const taken = spare;
  spare = null;
  setImmediate(() => {
    spare ??= launch();
    spare.child.unref();
  });
  if (taken !== null && taken.child.exitCode === null && taken.child.signalCode === null) return taken;
  if (taken !== null) native().closeFd(taken.payloadFd);
  return launch();
}

process.on('exit', () => spare?.child.kill('SIGKILL'));

export class SpawnPopen implements Popen {
  readonly #child: ChildProcess;
  #exitcode: number | null = null;
  readonly exited: Promise<number>;

  constructor(options: LaunchOptions, warm = false) {
    const { child, payloadFd } = warm ? takeSpare() : launch();
    this.#child = child;
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
    sendPayload(payloadFd, options.payload);
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
