/** Launches a child as a new Node.js process running spawn/process-main. */
import type { ChildProcess } from 'node:child_process';
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { native } from '../native.js';
import { CHILD_TRACKER_FD, ensureTracker } from '../resource-tracker/client.js';
import { childExecArgv } from './exec-argv.js';
import { limitFlags, type LaunchOptions, type Popen } from './popen.js';

const entry = fileURLToPath(new URL('../spawn/process-main.cjs', import.meta.url));
// Loaded on first start: a thread-only program or a child never pays for node:child_process.
const require = createRequire(import.meta.url);

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}

interface Launched {
  readonly child: ChildProcess;
  /** Our end of the socket pair that is the child's fd 3: its payload goes down it. */
  readonly payloadFd: number;
}

/** `spare`: a forkserver child, booted before anyone knows what it will run (see process-main). */
function launch(spare = false, flags: string[] = []): Launched {
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  // The child learns its parent's pid so it can tell if it was orphaned before it could
  // arrange to die with its parent. stdin is /dev/null, as in Python's children. The payload
  // goes through a plain socket pair on fd 3: an IPC channel would cost every child ~10 ms of
  // start-up, so one is opened only when a later feature needs to pass handles.
  // Children share this process's resource tracker (fd 4, see resource-tracker), so what they
  // create outlives them until the whole program has exited.
  const tracker = ensureTracker();
  const args = [...childExecArgv(), ...flags, entry, String(process.pid), spare ? 'spare' : 'cold'];
  if (tracker !== null) args.push(String(CHILD_TRACKER_FD));
  const [payloadFd, theirs] = native().socketPair();
  try {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'inherit', 'inherit', theirs, ...(tracker === null ? [] : [tracker])],
    });
    return { child, payloadFd };
  } finally {
    native().closeFd(theirs);
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
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPIPE' && code !== 'ECONNRESET') throw error;
  } finally {
    native().closeFd(fd);
  }
}

// 'forkserver': a child booted ahead of time (a spare) waits for its payload, blocked reading
// it. A spare holds nothing up (unref'd) and dies with this process like any child.
let spare: Launched | null = null;

function launchSpare(): void {
  const booting = launch(true);
  booting.child.unref();
  booting.child.on('error', () => {}); // failed to spawn: it never gets ready, so it is never taken
  booting.child.once('exit', () => {
    if (spare === booting) {
      spare = null;
      native().closeFd(booting.payloadFd);
    }
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

/**
 * A ready spare (it wrote one byte on fd 3 once booted, see process-main: reading it here
 * never blocks), or else a child launched now (a booting spare stays the spare).
 */
function takeSpare(): Launched {
  const taken = spare;
  if (taken !== null && native().takeByte(taken.payloadFd)) {
    spare = null;
    replenishAfter(taken.child);
    return taken;
  }
  const launched = launch();
  if (taken === null) replenishAfter(launched.child);
  return launched;
}

process.on('exit', () => spare?.child.kill('SIGKILL'));

export class SpawnPopen implements Popen {
  readonly #child: ChildProcess;
  #exitcode: number | null = null;
  readonly exited: Promise<number>;

  constructor(options: LaunchOptions, warm = false) {
    // A spare booted without knowing the limits: a child with limits starts cold.
    const flags = limitFlags(options.resourceLimits);
    const { child, payloadFd } = warm && flags.length === 0 ? takeSpare() : launch(false, flags);
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
