/**
 * wait() over connections and processes (Python's multiprocessing.connection.wait): which of
 * them are ready, waiting at most `timeout` ms until one is. A connection is ready when a
 * message or its end is there (recv would not wait), a process when it has ended.
 */
import { Connection } from './connection.js';
import { Process } from './process.js';
import { SocketConnection } from './socket-connection.js';
import { checkTimeout } from './util.js';

export type Waitable = Connection<unknown> | SocketConnection<unknown> | Process;

function readyNow(object: Waitable): boolean | Promise<boolean> {
  if (object instanceof Process) return object.exitcode !== null;
  if (object instanceof SocketConnection) return object.poll(0);
  if (object instanceof Connection) return object.pollSync(0);
  throw new TypeError(`wait(): expected Connections, SocketConnections or Processes, got ${Object.prototype.toString.call(object)}`);
}

function becomesReady(object: Waitable, signal: AbortSignal): Promise<unknown> {
  if (object instanceof Process) return object.sentinel;
  return (object as Connection<unknown> | SocketConnection<unknown>).poll({ signal });
}

/** The objects that are ready, in the order given; [] if `timeout` ms passed first (none: wait for one). */
export async function wait<T extends Waitable>(objects: readonly T[], timeout?: number): Promise<T[]> {
  if (!Array.isArray(objects)) throw new TypeError('wait(): pass an array of Connections, SocketConnections or Processes');
  const ms = checkTimeout(timeout, 'wait()');
  const ready = async (): Promise<T[]> => {
    const flags = await Promise.all(objects.map(readyNow));
    return objects.filter((_, i) => flags[i]);
  };
  const now = await ready();
  if (now.length > 0 || ms === 0 || objects.length === 0) return now;
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const waits = objects.map((object) => becomesReady(object, stop.signal).catch(() => undefined));
  if (ms !== undefined) waits.push(new Promise((resolve) => (timer = setTimeout(resolve, ms))));
  try {
    await Promise.race(waits);
  } finally {
    clearTimeout(timer);
    stop.abort();
  }
  return ready();
}
