/**
 * The resource tracker (CPython's resource_tracker.py): a small process that outlives the
 * processes that create named shared memory, and unlinks whatever they leave behind when they
 * are gone, SIGKILL included. Every process of a program writes to one pipe: the first child
 * started or segment created starts the tracker, and children inherit the pipe (as fd 4), so
 * the tracker sees EOF only once all of them have exited. The tracker itself is a tiny C
 * program (native/resource_tracker.c) built with the addon.
 *
 * Arenas (Value, Array, locks) need none of this: they have no name (see heap.ts).
 */
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { native } from '../native.js';

/**
 * shared_memory: SharedMemory segments; left behind, they are reported. queue_chunk: a queue's
 * overflow segments; left behind, they are unlinked quietly, as a queue's contents vanish with
 * its processes.
 */
export type ResourceKind = 'shared_memory' | 'queue_chunk';

const executable = fileURLToPath(new URL('../../build/Release/resource_tracker', import.meta.url));
const require = createRequire(import.meta.url);

/** The fd children inherit it on. */
export const CHILD_TRACKER_FD = 4;

let failed = false;

/** This process's tracker pipe, starting the tracker if there is none yet; null if it cannot run. */
export function ensureTracker(): number | null {
  if (failed) return null;
  const binding = native();
  const existing = binding.trackerFd();
  if (existing >= 0) return existing;
  const [readEnd, writeEnd] = binding.pipe();
  try {
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    // Its own session: a Ctrl-C or a group kill aimed at the program does not take it down
    // before it has cleaned up.
    const tracker = spawn(executable, [], { stdio: [readEnd, 'ignore', 'inherit'], detached: true });
    tracker.on('error', (error) => warn(error.message));
    tracker.unref();
  } catch (error) {
    binding.closeFd(writeEnd);
    warn((error as Error).message);
    return null;
  } finally {
    binding.closeFd(readEnd);
  }
  const installed = binding.trackerFd(writeEnd);
  if (installed !== writeEnd) binding.closeFd(writeEnd); // another thread was first: use its tracker
  return installed;
}

function warn(reason: string): void {
  if (failed) return;
  failed = true;
  process.emitWarning(
    `multiprocessing-ts: the resource tracker is not running (${reason}); named shared memory ` +
      'left behind by a crash will not be cleaned up. Reinstall the package so npm builds it.',
  );
}

function send(line: string): void {
  const fd = ensureTracker();
  if (fd === null) return;
  try {
    writeSync(fd, `${line}\n`);
  } catch (error) {
    warn((error as Error).message);
  }
}

/** Track a named resource this process created, until it is unregistered. */
export function register(kind: ResourceKind, name: string): void {
  send(`REGISTER ${kind} ${name}`);
}

export function unregister(kind: ResourceKind, name: string): void {
  send(`UNREGISTER ${kind} ${name}`);
}
