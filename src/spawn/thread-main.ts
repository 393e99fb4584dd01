/** Entry point of a 'thread' child: a worker whose workerData is the payload. */
import { workerData } from 'node:worker_threads';
import { bootstrap } from './bootstrap.js';

void bootstrap(workerData as Uint8Array, 'thread');
