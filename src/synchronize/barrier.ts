/**
 * Barrier in shared memory (Python's multiprocessing.Barrier): `parties` waiters meet, the last
 * to arrive runs `action`, and all go on. The algorithm is CPython's threading.Barrier, over a
 * shared Condition and a state machine in shared words.
 */
import { BrokenBarrierError, ValueError } from '../errors.js';
import { deadlineAfter, runAsync, runSync, type Steps } from '../futex.js';
import { attachTo, blockFrom, blockState, claim, kBlock, wordsOf, type Block, type BlockState } from '../heap.js';
import { registerReducer } from '../reduction.js';
import { referenceOf, resolveReferenceSync, type ResolvedReference } from '../reference.js';
import { checkTimeout, inspectCustom } from '../util.js';
import { Condition } from './condition.js';
import { waitOptions, type WaitOptions } from './event.js';
import { Lock } from './lock.js';

const STATE = 0;
const COUNT = 1;
const PARTIES = 2;
const TIMEOUT = 3; // the default timeout in ms, -1 for none

const FILLING = 0;
const DRAINING = 1;
const RESETTING = -1;
const BROKEN = -2;

export interface BarrierOptions {
  /** Called by the last party to arrive, before any is released. Must be an exported function to cross to other processes. */
  readonly action?: () => void;
  /** Default timeout of wait(), in milliseconds. */
  readonly timeout?: number;
}

const kCondition = Symbol('condition');
const kAction = Symbol('action');
// The condition of a Barrier being rebuilt in a receiving process (see the reducer).
let rebuiltCondition: Condition | null = null;

export class Barrier {
  readonly [kBlock]: Block;
  readonly [kCondition]: Condition;
  readonly [kAction]: (() => void) | undefined;
  readonly #words: Int32Array;

  constructor(parties: number, options: BarrierOptions = {}) {
    const condition = rebuiltCondition ?? new Condition(new Lock());
    rebuiltCondition = null;
    const { block, fresh } = claim(16, 64, 'Barrier');
    this[kBlock] = block;
    this[kCondition] = condition;
    this.#words = wordsOf(block, 4);
    if (options.action !== undefined && typeof options.action !== 'function') {
      throw new TypeError('Barrier: action must be a function');
    }
    this[kAction] = options.action;
    if (fresh) {
      if (!Number.isInteger(parties) || parties < 1 || parties > 0x7fffffff) {
        throw new ValueError(`Barrier: parties must be a positive integer, got ${String(parties)}`);
      }
      const timeout = checkTimeout(options.timeout, 'Barrier');
      this.#words[PARTIES] = parties;
      this.#words[TIMEOUT] = timeout === undefined ? -1 : Math.min(Math.ceil(timeout), 0x7fffffff);
    }
  }

  get parties(): number {
    return this.#words[PARTIES];
  }

  /** How many parties are waiting now. */
  get nWaiting(): number {
    return Atomics.load(this.#words, STATE) === FILLING ? Atomics.load(this.#words, COUNT) : 0;
  }

  get broken(): boolean {
    return Atomics.load(this.#words, STATE) === BROKEN;
  }

  /**
   * Waits until all parties have called wait(); resolves this party's arrival index
   * (0 … parties-1). Rejects with BrokenBarrierError if the barrier breaks (abort, reset, a
   * timeout, a failing action) meanwhile. A timeout breaks the barrier, as in Python.
   */
  async wait(options?: number | WaitOptions): Promise<number> {
    const { timeout, signal } = waitOptions(options, 'Barrier.wait()');
    return runAsync(this.#waitSteps(this.#deadline(timeout)), signal);
  }

  waitSync(timeout?: number): number {
    return runSync(this.#waitSteps(this.#deadline(checkTimeout(timeout, 'Barrier.waitSync()'))));
  }

  /** Returns the barrier to its initial state; current waiters get BrokenBarrierError. */
  reset(): void {
    this.#locked(() => {
      const words = this.#words;
      if (words[COUNT] > 0) {
        if (words[STATE] === FILLING || words[STATE] === BROKEN) words[STATE] = RESETTING;
      } else {
        words[STATE] = FILLING;
      }
      this[kCondition].notifyAll();
    });
  }

  /** Breaks the barrier: current and future wait() calls get BrokenBarrierError until reset(). */
  abort(): void {
    this.#locked(() => this.#break());
  }

  #deadline(timeout: number | undefined): number {
    const fallback = this.#words[TIMEOUT];
    return deadlineAfter(timeout ?? (fallback < 0 ? undefined : fallback));
  }

  #locked(fn: () => void): void {
    const condition = this[kCondition];
    runSync(condition.lockSteps());
    try {
      fn();
    } finally {
      condition.release();
    }
  }

  #break(): void {
    this.#words[STATE] = BROKEN;
    this[kCondition].notifyAll();
  }

  #broken(): BrokenBarrierError {
    return new BrokenBarrierError('Barrier is broken (aborted, reset, or a party timed out); reset() it to use it again');
  }

  *#waitSteps(deadline: number): Steps<number> {
    const condition = this[kCondition];
    const words = this.#words;
    // A function, not words[STATE]: the state changes across the yields.
    const state = (): number => words[STATE];
    yield* condition.lockSteps();
    try {
      // Wait while a previous round drains or resets.
      while (state() === DRAINING || state() === RESETTING) yield* condition.waitSteps(Infinity);
      if (state() !== FILLING) throw this.#broken();
      const index = words[COUNT]++;
      try {
        if (index + 1 === words[PARTIES]) {
          this.#release();
        } else {
          const passed = yield* condition.waitForSteps(() => state() !== FILLING, deadline);
          if (!passed) {
            this.#break();
            throw this.#broken();
          }
          if (state() < 0) throw this.#broken();
        }
        return index;
      } finally {
        // The last one out lets the next round fill.
        if (--words[COUNT] === 0 && (state() === DRAINING || state() === RESETTING)) {
          words[STATE] = FILLING;
          condition.notifyAll();
        }
      }
    } finally {
      condition.release();
    }
  }

  #release(): void {
    try {
      this[kAction]?.();
      this.#words[STATE] = DRAINING;
      this[kCondition].notifyAll();
    } catch (error) {
      this.#break();
      throw error;
    }
  }

  [inspectCustom](): string {
    return `Barrier(parties=${this.parties}, waiting=${this.nWaiting}${this.broken ? ', broken' : ''})`;
  }
}

interface BarrierState {
  block: BlockState;
  condition: Condition;
  action: ResolvedReference | null;
}

registerReducer<Barrier, BarrierState>({
  type: 'multiprocessing-ts:Barrier',
  module: import.meta.url,
  cls: Barrier,
  reduce: (barrier) => ({
    block: blockState(barrier[kBlock]),
    condition: barrier[kCondition],
    action: barrier[kAction] === undefined ? null : referenceOf(barrier[kAction], 'the action of a Barrier'),
  }),
  imports: (state) => (state.action !== null && state.action.kind !== 'cjs' ? [state.action.module] : []),
  rebuild: (state) =>
    attachTo(blockFrom(state.block, 'Barrier'), () => {
      const action = state.action === null ? undefined : (resolveReferenceSync(state.action) as () => void);
      rebuiltCondition = state.condition;
      return new Barrier(0, { action });
    }),
});
