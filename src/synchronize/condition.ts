/**
 * Condition in shared memory (Python's multiprocessing.Condition), over a Lock or RLock
 * (default: a new RLock). Waiters sleep on a sequence word that notify() advances. As with
 * POSIX condition variables, a wait may end without a notify (e.g. a notify racing with a
 * waiter that was about to sleep, or an abort elsewhere waking every sleeper): check the
 * condition in a loop, or use waitFor().
 */
import { LockNotOwnedError } from '../errors.js';
import { deadlineAfter, remaining, runAsync, runSync, wake, wakeAll, type Steps } from '../futex.js';
import { attachTo, blockFrom, blockState, claim, kBlock, wordsOf, type Block, type BlockState } from '../heap.js';
import { registerReducer } from '../reduction.js';
import { checkTimeout, inspectCustom } from '../util.js';
import type { AcquireOptions, Held, SyncAcquireOptions } from './acquirable.js';
import { waitOptions, type WaitOptions } from './event.js';
import { Lock, RLock, kIsOwned, kReleaseAll, kRestoreSteps, type ConditionLock } from './lock.js';

const SEQUENCE = 0;
const SLEEPERS = 1;
const kLock = Symbol('lock');

export class Condition {
  readonly [kBlock]: Block;
  readonly #words: Int32Array;
  readonly #lock: ConditionLock;

  constructor(lock?: Lock | RLock) {
    if (lock !== undefined && !(lock instanceof Lock) && !(lock instanceof RLock)) {
      throw new TypeError('Condition: lock must be a Lock or an RLock from this library');
    }
    this.#lock = lock ?? new RLock();
    const { block } = claim(8, 64, 'Condition');
    this[kBlock] = block;
    this.#words = wordsOf(block, 2);
  }

  /** The underlying lock's acquire/release, so the condition reads like Python's. */
  acquire(options?: AcquireOptions): Promise<boolean> {
    return this.#lock.acquire(options);
  }

  acquireSync(options?: SyncAcquireOptions): boolean {
    return this.#lock.acquireSync(options);
  }

  release(): void {
    this.#lock.release();
  }

  withLock<T>(fn: () => T | Promise<T>, options?: AcquireOptions): Promise<T> {
    return this.#lock.withLock(fn, options);
  }

  withLockSync<T>(fn: () => T, options?: SyncAcquireOptions): T {
    return this.#lock.withLockSync(fn, options);
  }

  hold(options?: AcquireOptions): Promise<Held> {
    return this.#lock.hold(options);
  }

  holdSync(options?: SyncAcquireOptions): Held {
    return this.#lock.holdSync(options);
  }

  /**
   * Releases the lock, sleeps until notified (or the timeout), re-acquires the lock. Resolves
   * false if the timeout ran out. The caller must hold the lock.
   */
  async wait(options?: number | WaitOptions): Promise<boolean> {
    const { timeout, signal } = waitOptions(options, 'Condition.wait()');
    this.#checkOwned('wait');
    return runAsync(this.waitSteps(deadlineAfter(timeout)), signal);
  }

  waitSync(timeout?: number): boolean {
    const ms = checkTimeout(timeout, 'Condition.waitSync()');
    this.#checkOwned('waitSync');
    return runSync(this.waitSteps(deadlineAfter(ms)));
  }

  /** Waits until `predicate()` is truthy; resolves its last result (falsy on timeout). */
  async waitFor<T>(predicate: () => T, options?: number | WaitOptions): Promise<T> {
    const { timeout, signal } = waitOptions(options, 'Condition.waitFor()');
    this.#checkOwned('waitFor');
    return runAsync(this.waitForSteps(predicate, deadlineAfter(timeout)), signal);
  }

  waitForSync<T>(predicate: () => T, timeout?: number): T {
    const ms = checkTimeout(timeout, 'Condition.waitForSync()');
    this.#checkOwned('waitForSync');
    return runSync(this.waitForSteps(predicate, deadlineAfter(ms)));
  }

  /** Wakes up to `n` waiters (default 1). The caller must hold the lock. */
  notify(n = 1): void {
    this.#checkOwned('notify');
    if (!Number.isInteger(n) || n < 0) throw new TypeError(`Condition.notify(): n must be a non-negative integer, got ${n}`);
    if (n === 0 || Atomics.load(this.#words, SLEEPERS) === 0) return;
    Atomics.add(this.#words, SEQUENCE, 1);
    wake(this.#words, SEQUENCE, n);
  }

  notifyAll(): void {
    this.notify(wakeAll);
  }

  /** Internal: the wait as steps, for Barrier. The caller holds the lock. */
  *waitSteps(deadline: number): Steps<boolean> {
    const words = this.#words;
    const sequence = Atomics.load(words, SEQUENCE);
    Atomics.add(words, SLEEPERS, 1);
    const saved = this.#lock[kReleaseAll]();
    try {
      for (;;) {
        const outcome = yield { words, index: SEQUENCE, expected: sequence, timeout: remaining(deadline) };
        // notify() advances the sequence before it wakes anyone: unchanged means spurious.
        if (Atomics.load(words, SEQUENCE) !== sequence) return true;
        if (outcome === 'timed-out') return false;
      }
    } finally {
      Atomics.sub(words, SLEEPERS, 1);
      yield* this.#restore(saved);
    }
  }

  /**
   * Re-takes the lock, whatever happens: a wait ends holding it, as in Python. An abort that
   * arrives meanwhile is raised once the lock is held again.
   */
  *#restore(saved: number): Steps<void> {
    let interrupted: { error: unknown } | null = null;
    for (;;) {
      try {
        yield* this.#lock[kRestoreSteps](saved);
        break;
      } catch (error) {
        interrupted ??= { error };
      }
    }
    if (interrupted !== null) throw interrupted.error;
  }

  *waitForSteps<T>(predicate: () => T, deadline: number): Steps<T> {
    let result = predicate();
    while (!result) {
      if (remaining(deadline) === 0) break;
      yield* this.waitSteps(deadline);
      result = predicate();
    }
    return result;
  }

  /** Internal: the lock's acquire as steps (for Barrier). */
  *lockSteps(): Steps<void> {
    yield* this.#lock[kRestoreSteps](1);
  }

  #checkOwned(method: string): void {
    if (!this.#lock[kIsOwned]()) {
      throw new LockNotOwnedError(`Condition.${method}(): acquire the condition's lock before calling ${method}()`);
    }
  }

  [inspectCustom](): string {
    return `Condition(${(this.#lock as unknown as { [inspectCustom](): string })[inspectCustom]()}, waiters=${Atomics.load(this.#words, SLEEPERS)})`;
  }

  /** Internal, for the reducer. */
  get [kLock](): ConditionLock {
    return this.#lock;
  }
}

interface ConditionState {
  block: BlockState;
  lock: ConditionLock;
}

registerReducer<Condition, ConditionState>({
  type: 'multiprocessing-ts:Condition',
  module: import.meta.url,
  cls: Condition,
  reduce: (condition) => ({ block: blockState(condition[kBlock]), lock: condition[kLock] }),
  rebuild: (state) => attachTo(blockFrom(state.block, 'Condition'), () => new Condition(state.lock as Lock | RLock)),
});
