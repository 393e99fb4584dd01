/**
 * AsyncResult (CPython's pool.ApplyResult / MapResult): what applyAsync and mapAsync return.
 * It is also a PromiseLike, so `await pool.applyAsync(…)` works as TypeScript users expect.
 */
import { TimeoutError, ValueError } from '../errors.js';
import { checkTimeout, inspectCustom } from '../util.js';

export interface ResultCallbacks<T> {
  /** Called in this process with the result, as soon as it is there (Python's callback). */
  readonly callback?: (value: T) => void;
  /** Called in this process with the error if the task failed (Python's error_callback). */
  readonly errorCallback?: (error: unknown) => void;
}

/** Internal: settles an AsyncResult (not part of the public API). */
export const kSettle = Symbol('multiprocessing-ts.settle');

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

/** A callback's error must not vanish, nor take the pool's bookkeeping down: it is rethrown on its own. */
function call<A>(fn: ((arg: A) => void) | undefined, arg: A): void {
  if (fn === undefined) return;
  try {
    fn(arg);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

export class AsyncResult<T> implements PromiseLike<T> {
  #state = PENDING;
  #value: unknown = undefined;
  readonly #promise: Promise<T>;
  #resolve!: (value: T) => void;
  #reject!: (error: unknown) => void;
  readonly #callbacks: ResultCallbacks<T>;

  /** Made by the pool. */
  constructor(callbacks: ResultCallbacks<T> = {}) {
    this.#callbacks = callbacks;
    this.#promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // A failed task nobody asks about is not an unhandled rejection (Python keeps it silently).
    this.#promise.catch(() => {});
  }

  [kSettle](ok: boolean, value: unknown): void {
    if (this.#state !== PENDING) return;
    this.#state = ok ? FULFILLED : REJECTED;
    this.#value = value;
    if (ok) {
      this.#resolve(value as T);
      call(this.#callbacks.callback, value as T);
    } else {
      this.#reject(value);
      call(this.#callbacks.errorCallback, value);
    }
  }

  /** Whether the task has finished (successfully or not). */
  ready(): boolean {
    return this.#state !== PENDING;
  }

  /** Whether it finished without an error; a ValueError if it has not finished yet (as Python). */
  successful(): boolean {
    if (this.#state === PENDING) throw new ValueError('AsyncResult.successful(): the result is not ready yet', 'ERR_NOT_READY');
    return this.#state === FULFILLED;
  }

  /**
   * The result, waiting for it at most `timeout` ms (then a TimeoutError; the task goes on).
   * The task's error is thrown again here, with the worker's stack.
   */
  async get(timeout?: number): Promise<T> {
    await this.#waitFor(timeout, 'get');
    return this.#promise;
  }

  /** Waits until the result is there, at most `timeout` ms (no error either way, as Python). */
  async wait(timeout?: number): Promise<void> {
    try {
      await this.#waitFor(timeout, 'wait');
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
    }
  }

  async #waitFor(timeout: number | undefined, method: string): Promise<void> {
    const ms = checkTimeout(timeout, `AsyncResult.${method}()`);
    if (this.#state !== PENDING) return;
    if (ms === undefined) {
      await this.#promise.then(
        () => {},
        () => {},
      );
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), ms);
    });
    const settled = this.#promise.then(
      () => false,
      () => false,
    );
    try {
      if (await Promise.race([settled, timedOut])) {
        throw new TimeoutError(`AsyncResult.${method}(): the result was not ready within ${ms} ms`);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#promise.then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#promise.catch(onrejected);
  }

  [inspectCustom](): string {
    const state = this.#state === PENDING ? 'pending' : this.#state === FULFILLED ? 'ready' : 'failed';
    return `<AsyncResult ${state}>`;
  }
}
