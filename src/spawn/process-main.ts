/** Entry point of a 'spawn' child: `node <execArgv> process-main.js <parentPid>`. */
import { closeSync, readSync } from 'node:fs';
import { constants } from 'node:os';
import { tryNative } from '../native.js';
import { bootstrap } from './bootstrap.js';

const parentPid = Number(process.argv[2]);
const PAYLOAD_FD = 3;

// Die with the parent, even one killed by SIGKILL and even while this child is busy in a CPU
// loop: the kernel delivers the signal (Linux; elsewhere this is a no-op).
const binding = tryNative();
binding?.setParentDeathSignal(constants.signals.SIGKILL);
if (process.ppid !== parentPid) process.exit(1); // the parent died before we could ask
// The parent's resource tracker pipe, when it handed one over (see resource-tracker).
if (process.argv[3] !== undefined) binding?.trackerFd(Number(process.argv[3]));

/** The parent writes the payload and closes its end: read to EOF. */
function readPayload(): Uint8Array {
  const chunks: Buffer[] = [];
  const wait = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const chunk = Buffer.allocUnsafe(1 << 16);
    let n: number;
    try {
      n = readSync(PAYLOAD_FD, chunk, 0, chunk.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(wait, 0, 0, 1); // the descriptor is non-blocking: the data is on its way
      continue;
    }
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
  }
  closeSync(PAYLOAD_FD);
  return Buffer.concat(chunks);
}

void bootstrap(readPayload(), 'spawn');
