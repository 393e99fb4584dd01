/**
 * Lock and RLock in shared memory, usable across processes and threads (Python's
 * multiprocessing.Lock / RLock). Both are robust: when the holder dies, the next acquirer
 * gets the lock and `previousOwnerDied` tells it so.
 */
import { LockNotOwnedError, ValueError } from '../errors.js';
import { type Steps } from '../futex.js';
import { claim, kBlock, registerBlockReducer, wordsOf, type Block } from '../heap.js';
import { inspectCustom } from '../util.js';
import { Acquirable } from './acquirable.js';
import { ACQUIRED, RECOVERED, lockSteps, ownerOf, threadId, tryLock, unlock } from './mutex.js';

const OWNER = 0;
const COUNT = 1;

/** What Condition needs from its lock. Internal. */
export const kIsOwned = Symbol('isOwned');
export const kReleaseAll = Symbol('releaseAll');
export const kRestoreSteps = Symbol('restoreSteps');

export interface ConditionLock extends Acquirable {
  [kIsOwned](): boolean;
  /** Releases entirely; returns what restoring needs (an RLock's depth). */
  [kReleaseAll](): number;
  [kRestoreSteps](saved: number): Steps<void>;
}

abstract class MutexBase extends Acquirable implements ConditionLock {
  readonly [kBlock]: Block;
  protected readonly words: Int32Array;
  #recovered = false;

  constructor(words: number) {
    super();
    const { block } = claim(words * 4, 64, new.target.name);
    this[kBlock] = block;
    this.words = wordsOf(block, words);
  }

  /**
   * True when this process's current hold was taken over from a holder that died holding it:
   * what the lock protects may be half-updated. Robust-mutex semantics, beyond Python.
   */
  get previousOwnerDied(): boolean {
    return this.#recovered && ownerOf(this.words, OWNER) === threadId();
  }

  protected tryAcquire(): boolean {
    if (!tryLock(this.words, OWNER)) return false;
    this.#recovered = false;
    return true;
  }

  protected *acquireSteps(deadline: number): Steps<boolean> {
    const result = yield* lockSteps(this.words, OWNER, deadline);
    if (result === RECOVERED) this.#recovered = true;
    else if (result === ACQUIRED) this.#recovered = false;
    return result !== 0;
  }

  [kIsOwned](): boolean {
    return ownerOf(this.words, OWNER) === threadId();
  }

  abstract [kReleaseAll](): number;
  abstract [kRestoreSteps](saved: number): Steps<void>;

  [inspectCustom](): string {
    const owner = ownerOf(this.words, OWNER);
    return `${this.constructor.name}(${owner === 0 ? 'unlocked' : `owner=${owner}`})`;
  }
}

/**
 * A non-recursive lock. As in Python, any process may release it, and a holder acquiring it
 * again waits (for ever, or until its timeout).
 */
export class Lock extends MutexBase {
  constructor() {
    super(1);
  }

  release(): void {
    // A free lock's word is 0, so swapping in 0 first changes nothing when it was not held.
    if (!unlock(this.words, OWNER)) {
      throw new ValueError('Lock.release(): the lock is not held (released too many times)', 'ERR_OVER_RELEASE');
    }
  }

  [kReleaseAll](): number {
    this.release();
    return 1;
  }

  *[kRestoreSteps](): Steps<void> {
    if (!this.tryAcquire()) yield* this.acquireSteps(Infinity);
  }
}

/** A recursive lock: its holder may acquire it again and must release it as often. */
export class RLock extends MutexBase {
  constructor() {
    super(2);
  }

  protected override tryAcquire(): boolean {
    if (this[kIsOwned]()) {
      this.words[COUNT]++;
      return true;
    }
    if (!super.tryAcquire()) return false;
    this.words[COUNT] = 1;
    return true;
  }

  protected override *acquireSteps(deadline: number): Steps<boolean> {
    const acquired = yield* super.acquireSteps(deadline);
    if (acquired) this.words[COUNT] = 1;
    return acquired;
  }

  release(): void {
    const owner = ownerOf(this.words, OWNER);
    if (owner !== threadId()) {
      throw new LockNotOwnedError(
        `RLock.release(): this thread (${threadId()}) does not hold the lock ` +
          `(${owner === 0 ? 'nobody does' : `thread ${owner} does`}); only the holder may release an RLock`,
      );
    }
    if (--this.words[COUNT] === 0) unlock(this.words, OWNER);
  }

  [kReleaseAll](): number {
    const depth = this.words[COUNT];
    this.words[COUNT] = 0;
    unlock(this.words, OWNER);
    return depth;
  }

  *[kRestoreSteps](depth: number): Steps<void> {
    if (!super.tryAcquire()) yield* super.acquireSteps(Infinity);
    this.words[COUNT] = depth;
  }

  override [inspectCustom](): string {
    const owner = ownerOf(this.words, OWNER);
    return owner === 0 ? 'RLock(unlocked)' : `RLock(owner=${owner}, count=${this.words[COUNT]})`;
  }
}

registerBlockReducer(Lock, import.meta.url);
registerBlockReducer(RLock, import.meta.url);
