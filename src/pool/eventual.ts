/**
 * A value that arrives later, as AsyncResult and Future both are: a state, and waiting with a
 * timeout. The Promise behind it is made only when someone waits: a task nobody asks about
 * costs none, and its failure is no unhandled rejection (Python keeps such errors quietly too).
 */
import { TimeoutError } from '../errors.js';
import { native } from '../native.js';
import { checkTimeout } from '../util.js';

export const PENDING = 0;
export const FULFILLED = 1;
export const REJECTED = 2;

/**
 * A pending promise, settled by settlePromise(). Made by the addon: `new Promise(executor)`
 * would add two resolving functions and their context to each of many thousand tasks in
 * flight, most of what one weighs.
 */
export function pendingPromise<T>(): Promise<T> {
  return native().promiseNew() as Promise<T>;
}

/** Resolves (ok) or rejects a promise made by pendingPromise(); a settled one stays as it was. */
export function settlePromise(promise: Promise<unknown>, ok: boolean, value: unknown): void {
  native().promiseSettle(promise, ok, value);
}

export abstract class Eventual<T> {
  #state = PENDING;
  #value: unknown = undefined;
  #promise: Promise<T> | null = null;

  protected get state(): number {
    return this.#state;
  }

  protected get value(): unknown {
    return this.#value;
  }

  /** Settles once; false if it was settled already. */
  protected settleWith(ok: boolean, value: unknown): boolean {
    if (this.#state !== PENDING) return false;
    this.#state = ok ? FULFILLED : REJECTED;
    this.#value = value;
    if (this.#promise !== null) settlePromise(this.#promise, ok, value);
    return true;
  }

  /** The outcome as a Promise (made on first use). */
  protected promise(): Promise<T> {
    if (this.#promise === null) {
      if (this.#state === FULFILLED) this.#promise = Promise.resolve(this.#value as T);
      else if (this.#state === REJECTED) this.#promise = Promise.reject(this.#value);
      else this.#promise = pendingPromise<T>();
    }
    return this.#promise;
  }

  /** Waits until settled, at most `timeout` ms: a TimeoutError naming `what` if it is not. */
  protected async waitSettled(timeout: number | undefined, what: string): Promise<void> {
    const ms = checkTimeout(timeout, what);
    if (this.#state !== PENDING) return;
    const settled = this.promise().then(
      () => true,
      () => true,
    );
    if (ms === undefined) {
      await settled;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    try {
      if (!(await Promise.race([settled, timedOut]))) throw new TimeoutError(`${what}: the result was not ready within ${ms} ms`);
    } finally {
      clearTimeout(timer);
    }
  }

}

/** A callback's error must not vanish, nor break the pool's bookkeeping: it is rethrown on its own. */
export function callSafely<A>(fn: ((arg: A) => void) | undefined, arg: A): void {
  if (fn === undefined) return;
  try {
    fn(arg);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
