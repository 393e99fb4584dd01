/**
 * The resource tracker (CPython's resource_tracker.py): a small process that outlives the
 * processes that create named shared memory, and unlinks whatever they leave behind when they
 * are gone, SIGKILL included. Every process of a tree writes to one pipe; children started by
 * this library inherit it (as fd 4), so the tracker sees EOF only when all of them have exited.
 *
 * Arenas (Value, Array, locks) need none of this: they have no name (see heap.ts).
 */
import { closeSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { native } from '../native.js';
import { childExecArgv } from '../popen/exec-argv.js';

export type ResourceKind = 'shared_memory';

const entry = fileURLToPath(new URL('./main.js', import.meta.url));
const require = createRequire(import.meta.url);

/** The fd children inherit it on, when this process has a tracker. */
export const CHILD_TRACKER_FD = 4;

/** This process's tracker pipe, starting the tracker if there is none yet. */
function trackerFd(): number {
  const binding = native();
  const existing = binding.trackerFd();
  if (existing >= 0) return existing;
  const [readEnd, writeEnd] = binding.pipe();
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  // Its own session: a Ctrl-C or a group kill aimed at the program does not take it down
  // before it has cleaned up.
  const tracker = spawn(process.execPath, [...childExecArgv(), entry], {
    stdio: [readEnd, 'ignore', 'inherit'],
    detached: true,
  });
  tracker.unref();
  closeSync(readEnd);
  const installed = binding.trackerFd(writeEnd);
  if (installed !== writeEnd) closeSync(writeEnd); // another thread was first: use its tracker
  return installed;
}

function send(line: string): void {
  try {
    writeSync(trackerFd(), `${line}\n`);
  } catch (error) {
    process.emitWarning(`multiprocessing-ts resource tracker unreachable (${(error as Error).message}); ` +
      'named shared memory left by a crash will not be cleaned up');
  }
}

/** Track a named resource this process created, until it is unregistered. */
export function register(kind: ResourceKind, name: string): void {
  send(`REGISTER ${kind} ${name}`);
}

export function unregister(kind: ResourceKind, name: string): void {
  send(`UNREGISTER ${kind} ${name}`);
}

/** The fd to hand a new child process, or null: children share their parent's tracker. */
export function inheritableTrackerFd(): number | null {
  const fd = native().trackerFd();
  return fd >= 0 ? fd : null;
}
