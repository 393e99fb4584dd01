/**
 * Who is calling, inside a manager's server: the connection a request came by. Python's
 * server runs each connection on a thread of its own, so a lock knows its owner by thread;
 * ours serves every connection on one event loop, and a referent asks currentCaller() as a
 * method starts, before its first await. (Not AsyncLocalStorage: its hooks cost every
 * promise of the server a third more.)
 */
let current = 0;

/** Runs `fn` (its synchronous part) as a call from connection `caller`. */
export function asCaller<T>(caller: number, fn: () => T): T {
  const previous = current;
  current = caller;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

/** The connection of the request being served (0: the server's own code). Valid until the method's first await. */
export function currentCaller(): number {
  return current;
}

/** A referent that holds something for its callers (a lock) lets go when one disconnects. */
export const kCallerGone = Symbol('multiprocessing-ts.caller-gone');

export interface CallerAware {
  [kCallerGone](caller: number): void;
}

export function isCallerAware(value: unknown): value is CallerAware {
  return typeof value === 'object' && value !== null && typeof (value as Partial<CallerAware>)[kCallerGone] === 'function';
}
