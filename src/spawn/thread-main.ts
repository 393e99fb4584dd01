/**
 * Entry point of a 'thread' child: a worker whose workerData is the payload (bundled with
 * bootstrap.ts by scripts/bundle-child.mjs).
 */
import { workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { bootstrap } from './bootstrap.js';

const { payload, execArgv, tidSlot } = workerData as { payload: Uint8Array; execArgv: string[]; tidSlot: Int32Array };

/**
 * Tells the parent this thread's kernel id: after the Worker's 'exit' it waits until the
 * kernel has let go of it, so that a lock this thread held is seen as a dead holder's at once
 * (robust locks check the holder's id). Best effort: without the addon there is nothing to do.
 */
function reportThreadId(): void {
  const addon = { exports: {} as { threadId?(): number } };
  try {
    // This file is dist/spawn/thread-main.cjs: the addon is two levels up, where node-gyp built it.
    process.dlopen(addon, join(__dirname, '../../build/Release/multiprocessing_native.node'));
  } catch {
    return;
  }
  (globalThis as Record<symbol, unknown>)[Symbol.for('multiprocessing-ts.native')] = addon.exports;
  Atomics.store(tidSlot, 0, addon.exports.threadId?.() ?? 0);
}

reportThreadId();

async function main(): Promise<void> {
  // Only a parent run with Node options (tsx's loader, say) has preloads to replay.
  if (execArgv.length > 0) await (await import('./preload.js')).replayPreloads(execArgv);
  await bootstrap(payload, 'thread');
}

void main();
