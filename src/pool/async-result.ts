/**
 * AsyncResult (CPython's pool.ApplyResult / MapResult): what applyAsync and mapAsync return.
 * It is also a PromiseLike, so `await pool.applyAsync(…)` works as TypeScript users expect.
 */
import { ValueError } from '../errors.js';
import { inspectCustom } from '../util.js';
import { Eventual, FULFILLED, PENDING, callSafely } from './eventual.js';

export interface ResultCallbacks<T> {
  /** Called in this process with the result, as soon as it is there (Python's callback). */
  readonly callback?: (value: T) => void;
  /** Called in this process with the error if the task failed (Python's error_callback). */
  readonly errorCallback?: (error: unknown) => void;
}

/** Whether settling runs no user code: neither callback given. */
export function noCallbacks(callbacks: ResultCallbacks<never>): boolean {
  return callbacks.callback === undefined && callbacks.errorCallback === undefined;
}

/** Internal: settles an AsyncResult (not part of the public API). */
export const kSettle = Symbol('multiprocessing-ts.settle');
/** Internal: whether settling runs no user code (no callbacks). */
export const kQuiet = Symbol('multiprocessing-ts.quiet');

export class AsyncResult<T> extends Eventual<T> implements PromiseLike<T> {
  readonly #callbacks: ResultCallbacks<T>;

  /** Made by the pool. */
  constructor(callbacks: ResultCallbacks<T> = {}) {
    super();
    this.#callbacks = callbacks;
  }

  [kSettle](ok: boolean, value: unknown): void {
    if (!this.settleWith(ok, value)) return;
    if (ok) callSafely(this.#callbacks.callback, value as T);
    else callSafely(this.#callbacks.errorCallback, value);
  }

  [kQuiet](): boolean {
    return noCallbacks(this.#callbacks);
  }

  /** Whether the task has finished (successfully or not). */
  ready(): boolean {
    return this.state !== PENDING;
  }

  /** Whether it finished without an error; a ValueError if it has not finished yet (as Python). */
  successful(): boolean {
    if (this.state === PENDING) throw new ValueError('AsyncResult.successful(): the result is not ready yet', 'ERR_NOT_READY');
    return this.state === FULFILLED;
  }

  /**
   * The result, waiting for it at most `timeout` ms (then a TimeoutError; the task goes on).
   * The task's error is thrown again here, with the worker's stack.
   */
  async get(timeout?: number): Promise<T> {
    await this.waitSettled(timeout, 'AsyncResult.get()');
    return this.promise();
  }

  /** Waits until the result is there, at most `timeout` ms (no error either way, as Python). */
  async wait(timeout?: number): Promise<void> {
    await this.waitSettled(timeout, 'AsyncResult.wait()').catch(() => {});
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.promise().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.promise().catch(onrejected);
  }

  [inspectCustom](): string {
    const state = this.state === PENDING ? 'pending' : this.state === FULFILLED ? 'ready' : 'failed';
    return `<AsyncResult ${state}>`;
  }
}
