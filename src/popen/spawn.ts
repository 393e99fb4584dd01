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

/** `spare`: a forkserver child, booted before anyone knows what it will run (see process-main). */
function launch(spare = false): ChildProcess {
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  // The child learns its parent's pid so it can tell if it was orphaned before it could
  // arrange to die with its parent. stdin is /dev/null, as in Python's children. The payload
  // goes through a plain pipe on fd 3: an IPC channel would cost every child ~10 ms of
  // start-up, so one is opened only when a later feature needs to pass handles.
  const args = [...childExecArgv(), entry, String(process.pid), ...(spare ? ['spare'] : [])];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
  });
  const channel = child.stdio[3] as NodeJS.WritableStream & { unref?(): void };
  channel.on('error', () => {}); // a child that dies early closes it: its exit code tells why
  channel.unref?.();
  return child;
}

// 'forkserver': a child booted ahead of time (a spare) waits for its payload, blocked reading
// it. A spare holds nothing up (unref'd) and dies with this process like any child.
interface Spare {
  readonly child: ChildProcess;
  /** It said it is waiting for its payload (process-main writes one byte): taking it is a warm start. */
  ready: boolean;
}

let spare: Spare | null = null;

function launchSpare(): void {
  const child = launch(true);
  child.unref();
  child.on('error', () => {}); // failed to spawn: it never gets ready, so it is never taken
  const booting: Spare = { child, ready: false };
  (child.stdio[3] as NodeJS.ReadableStream).once('data', () => (booting.ready = true));
  child.once('exit', () => {
    if (spare === booting) spare = null;
  });
  spare = booting;
}

/**
 * The next spare boots once `child` has exited, or 50 ms after it started, whichever comes
 * first: a spare's boot is a whole Node.js start-up of CPU, which would otherwise compete with
 * the start-up of the child that was just started.
 */
function replenishAfter(child: ChildProcess): void {
  let done = false;
  const replenish = (): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if (spare === null) launchSpare();
  };
  const timer = setTimeout(replenish, 50).unref();
  // After the exit has been handled (joins resolved): spawning blocks this thread for a while.
  child.once('exit', () => setImmediate(replenish).unref());
}

/** A ready spare, or else a child launched now (a booting spare stays the spare). */
function takeSpare(): ChildProcess {
  const taken = spare;
  if (taken !== null && taken.ready) {
    spare = null;
    replenishAfter(taken.child);
    return taken.child;
  }
  const child = launch();
  if (taken === null) replenishAfter(child);
  return child;
}

process.on('exit', () => spare?.child.kill('SIGKILL'));

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
    // Closed once written (the child still reads it all): left open, it would wake this
    // process once more, for its end of file, when the child exits.
    const channel = this.#child.stdio[3] as NodeJS.WritableStream & { destroy(): void };
    channel.end(options.payload, () => channel.destroy());
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
