/** Entry point of a 'thread' child: a worker whose workerData is the payload. */
import { workerData } from 'node:worker_threads';
import { bootstrap } from './bootstrap.js';
import { replayPreloads } from './preload.js';

const { payload, execArgv } = workerData as { payload: Uint8Array; execArgv: string[] };
await replayPreloads(execArgv);
await bootstrap(payload, 'thread');
