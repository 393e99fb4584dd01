/**
 * A child flushes stdout and stderr before it exits, but only the streams something used:
 * `process.stdout` and `process.stderr` are made on first use, and making one loads Node's
 * stream modules, which would cost every child a few ms for output it never wrote.
 */
import type { StartMethod } from '../start-methods.js';

const used: NodeJS.WriteStream[] = [];
let inWorker = false;

/** From now on, notes which of process.stdout and process.stderr get made. */
export function watchStdio(method: StartMethod): void {
  inWorker = method === 'thread';
  for (const name of ['stdout', 'stderr'] as const) {
    const descriptor = Object.getOwnPropertyDescriptor(process, name);
    const get = descriptor?.get;
    if (descriptor === undefined || get === undefined || descriptor.configurable !== true) {
      used.push(process[name]); // not Node's lazy getter: flush it, as before
      continue;
    }
    Object.defineProperty(process, name, {
      ...descriptor,
      get(): NodeJS.WriteStream {
        Object.defineProperty(process, name, descriptor); // Node's own getter again
        const stream = get.call(process) as NodeJS.WriteStream;
        used.push(stream);
        return stream;
      },
    });
  }
}

/**
 * Waits for what the stream still holds. A worker's stream always waits for the round trip
 * through the parent thread: an empty buffer there does not mean the parent has the output
 * (without it, the end of a large write was seen lost).
 */
function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (!stream.writable || (stream.writableLength === 0 && !inWorker)) resolve();
    else stream.write('', () => resolve());
  });
}

/** Exits once what was written to the used streams has been handed on. */
export async function exitFlushed(code: number): Promise<never> {
  await Promise.all(used.map(flush));
  process.exit(code);
}
