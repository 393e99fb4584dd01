/**
 * Future (Python's concurrent.futures.Future), as an executor's submit() returns it. Not a
 * thenable, as in Python: `await future.result()`. (A thenable would be awaited away by
 * `for await` over asCompleted(), and typed as its result there.)
 */
import { CancelledError } from '../errors.js';
import { Eventual, FULFILLED, PENDING, REJECTED, callSafely } from '../pool/eventual.js';
import type { Scheduler, Task } from '../pool/scheduler.js';
import { inspectCustom } from '../util.js';

/** Internal: what a Future needs of its task (not part of the public API). */
export const kBind = Symbol('multiprocessing-ts.bind');
export const kSettle = Symbol('multiprocessing-ts.settleFuture');
export const kFailed = Symbol('multiprocessing-ts.failed');
/** Internal: whether settling runs no user code (no done-callbacks yet). */
export const kQuiet = Symbol('multiprocessing-ts.quietFuture');

export class Future<T> extends Eventual<T> {
  #scheduler: Scheduler | null = null;
  #task: Task | null = null;
  #cancelled = false;
  #callbacks: ((future: Future<T>) => void)[] = [];

  [kBind](scheduler: Scheduler, task: Task): void {
    this.#scheduler = scheduler;
    this.#task = task;
  }

  [kSettle](ok: boolean, value: unknown): void {
    if (!this.settleWith(ok, value)) return;
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    for (const callback of callbacks) callSafely(callback, this);
  }

  [kQuiet](): boolean {
    return this.#callbacks.length === 0;
  }

  /** Cancels the call if it has not started: true if it is (now) cancelled, false if running or done. */
  cancel(): boolean {
    if (this.#cancelled) return true;
    if (this.state !== PENDING || this.#scheduler === null || this.#task === null) return false;
    this.#cancelled = true;
    if (this.#scheduler.cancel(this.#task, new CancelledError('The future was cancelled before it ran'))) return true;
    this.#cancelled = false;
    return false;
  }

  cancelled(): boolean {
    return this.#cancelled && this.state === REJECTED;
  }

  /** True while a worker runs the call. */
  running(): boolean {
    return this.state === PENDING && this.#task !== null && this.#scheduler !== null && this.#scheduler.isRunning(this.#task);
  }

  /** True once the call finished, failed or was cancelled. */
  done(): boolean {
    return this.state !== PENDING;
  }

  /**
   * The call's result, waiting at most `timeout` ms (then a TimeoutError; the call goes on).
   * Its error is thrown again here; a cancelled future throws CancelledError.
   */
  async result(timeout?: number): Promise<T> {
    await this.waitSettled(timeout, 'Future.result()');
    return this.promise();
  }

  /** The call's error, or null if it succeeded (waiting as result() does). */
  async exception(timeout?: number): Promise<unknown> {
    await this.waitSettled(timeout, 'Future.exception()');
    if (this.#cancelled) throw this.value;
    return this.state === REJECTED ? this.value : null;
  }

  /** Finished by an error (not a cancellation): what FIRST_EXCEPTION waits for. */
  [kFailed](): boolean {
    return this.state === REJECTED && !this.#cancelled;
  }

  /** Calls fn(future) in this process once the future is done (at once if it is). */
  addDoneCallback(fn: (future: Future<T>) => void): void {
    if (typeof fn !== 'function') throw new TypeError('Future.addDoneCallback(): expected a function');
    if (this.state !== PENDING) callSafely(fn, this);
    else this.#callbacks.push(fn);
  }

  [inspectCustom](): string {
    let state = 'pending';
    if (this.running()) state = 'running';
    else if (this.#cancelled && this.state === REJECTED) state = 'cancelled';
    else if (this.state === FULFILLED) state = 'finished returned';
    else if (this.state === REJECTED) state = 'finished raised';
    return `<Future state=${state}>`;
  }
}
