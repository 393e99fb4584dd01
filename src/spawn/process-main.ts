/**
 * Entry point of a 'spawn' or 'forkserver' child: `node <execArgv> process-main.cjs <parentPid>`
 * (bundled with bootstrap.ts by scripts/bundle-child.mjs). It loads no `node:` module the
 * child would not load anyway.
 */
import { readSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bootstrap } from './bootstrap.js';

const parentPid = Number(process.argv[2]);
/** A forkserver child, booted ahead of time: its payload may come much later. */
const isSpare = process.argv[3] === 'spare';
const PAYLOAD_FD = 3;
const READY = new Uint8Array([1]);
const SIGKILL = 9; // the same on every POSIX system (node:os would be one more module to load)
const NATIVE_KEY = 'multiprocessing-ts.native';

/** The parent's resource tracker pipe, when it handed one over (see resource-tracker). */
const trackerFd = process.argv[4] === undefined ? null : Number(process.argv[4]);

/**
 * Die with the parent, even one killed by SIGKILL and even while this child is busy in a CPU
 * loop: the kernel delivers the signal (Linux; elsewhere the addon does nothing). Best effort,
 * like native.ts's tryNative(), whose createRequire this file does without; native.ts then
 * reuses this load (NATIVE_KEY) rather than initialise the addon twice.
 */
function dieWithParent(): void {
  const addon = {
    exports: {} as { setParentDeathSignal?(signal: number): boolean; trackerFd?(fd: number): number },
  };
  try {
    // This file is dist/spawn/process-main.cjs (or src/spawn/process-main.ts): the addon is
    // two levels up, where node-gyp built it.
    process.dlopen(addon, join(dirname(process.argv[1]), '../../build/Release/multiprocessing_native.node'));
  } catch {
    return;
  }
  (globalThis as Record<symbol, unknown>)[Symbol.for(NATIVE_KEY)] = addon.exports;
  addon.exports.setParentDeathSignal?.(SIGKILL);
  if (trackerFd !== null) addon.exports.trackerFd?.(trackerFd);
}

/** A spare tells its parent it is ready for a payload (the descriptor is a socket pair). */
function sayReady(): void {
  try {
    writeSync(PAYLOAD_FD, READY);
  } catch {
    // the parent is gone or has closed its end: the payload read tells
  }
}

/** The parent writes the payload and closes its end: read to EOF. */
function readPayload(): Uint8Array {
  const chunks: Buffer[] = [];
  let wait: Int32Array | undefined;
  for (;;) {
    const chunk = Buffer.allocUnsafe(1 << 16);
    let n: number;
    try {
      n = readSync(PAYLOAD_FD, chunk, 0, chunk.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      // A non-blocking descriptor (not Linux's): the data is on its way.
      Atomics.wait((wait ??= new Int32Array(new SharedArrayBuffer(4))), 0, 0, 1);
      continue;
    }
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
  }
  // Left open until exit: closing it wakes the parent, which watches its end, and on a busy
  // machine that preempts this child for a few ms (seen as closeSync taking 2-9 ms).
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

async function main(): Promise<void> {
  dieWithParent();
  if (process.ppid !== parentPid) process.exit(1); // the parent died before we could ask
  // While it waits, a spare loads what a start would otherwise load after its payload came:
  // Node's ES-module loader, and the library that most targets' modules import.
  if (isSpare) {
    await import('../index.js').catch(() => {});
    sayReady();
  }
  await bootstrap(readPayload(), 'spawn');
}

void main();
