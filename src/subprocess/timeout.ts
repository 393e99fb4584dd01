/** Timeouts in milliseconds: checking them, and racing a promise against one. */
import { describe } from './command.js';

/** Checks a timeout in ms; `null` / `undefined` / `Infinity` mean none. */
export function checkTimeout(timeout: unknown, what = 'timeout'): number | null {
  if (timeout == null || timeout === Infinity) return null;
  if (typeof timeout !== 'number') {
    throw new TypeError(`${what} must be a number of milliseconds, got ${describe(timeout)}.`);
  }
  if (Number.isNaN(timeout) || timeout < 0) {
    throw new RangeError(`${what} must be a number of milliseconds ≥ 0, got ${timeout}.`);
  }
  return timeout;
}

/** `promise`, or the error `onTimeout()` makes after `ms` milliseconds. */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
