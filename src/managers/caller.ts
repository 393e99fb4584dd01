/**
 * Who is calling, inside a manager's server: the connection a request came by. Python's
 * server runs each connection on a thread of its own, so a lock knows its owner by thread;
 * ours serves every connection on one event loop, and a referent asks currentCaller().
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const callers = new AsyncLocalStorage<number>();

/** Runs `fn` as a call from connection `caller`. */
export function asCaller<T>(caller: number, fn: () => T): T {
  return callers.run(caller, fn);
}

/** The connection of the request being served (0 outside any: the server's own code). */
export function currentCaller(): number {
  return callers.getStore() ?? 0;
}

/** A referent that holds something for its callers (a lock) lets go when one disconnects. */
export const kCallerGone = Symbol('multiprocessing-ts.caller-gone');

export interface CallerAware {
  [kCallerGone](caller: number): void;
}

export function isCallerAware(value: unknown): value is CallerAware {
  return typeof value === 'object' && value !== null && typeof (value as Partial<CallerAware>)[kCallerGone] === 'function';
}
