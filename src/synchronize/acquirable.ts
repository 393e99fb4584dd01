/**
 * What Lock, RLock, Semaphore and BoundedSemaphore share: acquire in Promise and Sync forms,
 * and Python's `with lock:` as `withLock(fn)` and `using` (`hold()`).
 */
import { TimeoutError } from '../errors.js';
import { deadlineAfter, runAsync, runSync, type Steps } from '../futex.js';
import { checkTimeout } from '../util.js';

export interface AcquireOptions {
  /** false: do not wait, only try (Python's `block=False`). Default true. */
  readonly block?: boolean;
  /** Give up after this many milliseconds; acquire() then returns false. Default: no limit. */
  readonly timeout?: number;
  /** Abort a pending acquire (Promise form only); it rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

export type SyncAcquireOptions = Omit<AcquireOptions, 'signal'>;

/** Releases what it holds once, when disposed (`using held = await lock.hold()`). */
export interface Held extends Disposable {
  release(): void;
}

function timeoutOf(options: AcquireOptions | undefined, what: string): number | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${what}: options must be an object like { timeout: 1000 } (milliseconds)`);
  }
  const timeout = checkTimeout(options.timeout, what);
  return options.block === false ? 0 : timeout;
}

export abstract class Acquirable {
  /** One attempt, no waiting. */
  protected abstract tryAcquire(): boolean;
  /** The waiting acquire, after tryAcquire failed. Returns whether it acquired. */
  protected abstract acquireSteps(deadline: number): Steps<boolean>;
  abstract release(): void;

  /** Resolves true once acquired, false if `timeout` ran out (or `block: false` failed). */
  async acquire(options?: AcquireOptions): Promise<boolean> {
    const timeout = options === undefined ? undefined : timeoutOf(options, `${this.constructor.name}.acquire()`);
    if (options?.signal?.aborted === true) throw options.signal.reason;
    if (this.tryAcquire()) return true;
    if (timeout === 0) return runAsync(this.acquireSteps(0));
    return runAsync(this.acquireSteps(deadlineAfter(timeout)), options?.signal);
  }

  /** Blocks this thread until acquired: for workers and scripts; it stalls the event loop. */
  acquireSync(options?: SyncAcquireOptions): boolean {
    const timeout = options === undefined ? undefined : timeoutOf(options, `${this.constructor.name}.acquireSync()`);
    if (this.tryAcquire()) return true;
    return runSync(this.acquireSteps(timeout === 0 ? 0 : deadlineAfter(timeout)));
  }

  /** Python's `with lock:` — runs fn holding this, releases even if fn throws. */
  async withLock<T>(fn: () => T | Promise<T>, options?: AcquireOptions): Promise<T> {
    if (!(await this.acquire(options))) throw this.#timedOut(options);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  withLockSync<T>(fn: () => T, options?: SyncAcquireOptions): T {
    if (!this.acquireSync(options)) throw this.#timedOut(options);
    try {
      return fn();
    } finally {
      this.release();
    }
  }

  /** Acquires, for `using`; throws TimeoutError if a timeout runs out. */
  async hold(options?: AcquireOptions): Promise<Held> {
    if (!(await this.acquire(options))) throw this.#timedOut(options);
    return this.#held();
  }

  holdSync(options?: SyncAcquireOptions): Held {
    if (!this.acquireSync(options)) throw this.#timedOut(options);
    return this.#held();
  }

  #timedOut(options: AcquireOptions | undefined): TimeoutError {
    const limit = options?.block === false ? 'without waiting' : `within ${options?.timeout} ms`;
    return new TimeoutError(`${this.constructor.name} could not be acquired ${limit}`);
  }

  #held(): Held {
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      this.release();
    };
    return { release, [Symbol.dispose]: release };
  }
}
