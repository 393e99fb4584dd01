/**
 * Entry point of a 'thread' child: a worker whose workerData is the payload (bundled with
 * bootstrap.ts by scripts/bundle-child.mjs).
 */
import { workerData } from 'node:worker_threads';
import { bootstrap } from './bootstrap.js';

const { payload, execArgv } = workerData as { payload: Uint8Array; execArgv: string[] };

async function main(): Promise<void> {
  // Only a parent run with Node options (tsx's loader, say) has preloads to replay.
  if (execArgv.length > 0) await (await import('./preload.js')).replayPreloads(execArgv);
  await bootstrap(payload, 'thread');
}

void main();
