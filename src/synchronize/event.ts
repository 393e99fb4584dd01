/** Event in shared memory (Python's multiprocessing.Event): a flag processes can wait for. */
import { deadlineAfter, futexBinding, remaining, runAsync, runSync, wake, wakeAll, type Steps } from '../futex.js';
import { claim, kBlock, registerBlockReducer, wordsOf, type Block } from '../heap.js';
import { checkTimeout, inspectCustom } from '../util.js';

/**
 * One word: bit 0 the flag, the rest a generation that each set() of an unset event advances.
 * Waiters sleep on it, so a set() then clear() still wakes them; flag and generation change in
 * one compare-and-swap, so no waiter can see a set()'s flag without its generation and count
 * that set() twice.
 */
const STATE = 0;
const SLEEPERS = 1;
const SET = 1;
const SPINS = 500; // about 5 µs: long enough for a prompt reply, short enough not to hog a loaded CPU

export interface WaitOptions {
  /** Milliseconds; default: no limit. */
  readonly timeout?: number;
  /** Promise forms only: abort the wait, rejecting with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** `wait(1000)` or `wait({ timeout: 1000, signal })`. */
export function waitOptions(options: number | WaitOptions | undefined, what: string): WaitOptions {
  if (options === undefined || options === null) return {};
  if (typeof options === 'number') return { timeout: checkTimeout(options, what) };
  if (typeof options !== 'object') throw new TypeError(`${what}: pass a timeout in milliseconds or { timeout, signal }`);
  checkTimeout(options.timeout, what);
  return options;
}

export class Event {
  readonly [kBlock]: Block;
  readonly #words: Int32Array;

  constructor() {
    futexBinding('Event');
    const { block } = claim(8, 64, 'Event');
    this[kBlock] = block;
    this.#words = wordsOf(block, 2);
  }

  isSet(): boolean {
    return (Atomics.load(this.#words, STATE) & SET) !== 0;
  }

  /** Sets the flag and wakes every waiter, in every process. */
  set(): void {
    const words = this.#words;
    for (;;) {
      const state = Atomics.load(words, STATE);
      if ((state & SET) !== 0) return;
      if (Atomics.compareExchange(words, STATE, state, ((state + 2) & ~SET) | SET) === state) break;
    }
    if (Atomics.load(words, SLEEPERS) > 0) wake(words, STATE, wakeAll);
  }

  clear(): void {
    Atomics.and(this.#words, STATE, ~SET);
  }

  /**
   * Resolves true once the flag is set (a set() after the wait began counts even if clear()
   * followed at once, as in Python's threading.Event), false if the timeout ran out first.
   */
  async wait(options?: number | WaitOptions): Promise<boolean> {
    const { timeout, signal } = waitOptions(options, 'Event.wait()');
    if (this.isSet()) return true;
    return runAsync(this.#waitSteps(deadlineAfter(timeout)), signal);
  }

  /** Blocks this thread until the flag is set; false if the timeout ran out first. */
  waitSync(timeout?: number): boolean {
    const ms = checkTimeout(timeout, 'Event.waitSync()');
    if (this.isSet()) return true;
    return runSync(this.#waitSteps(deadlineAfter(ms)));
  }

  *#waitSteps(deadline: number): Steps<boolean> {
    const words = this.#words;
    const start = Atomics.load(words, STATE);
    if ((start & SET) !== 0) return true;
    // Only set() changes an unset state (clear() of an unset event changes nothing).
    // A set() often follows within microseconds (a reply, a hand-off): spinning that long
    // saves both the sleep and the setter's wake-up syscall.
    for (let spin = 0; spin < SPINS; spin++) {
      if (Atomics.load(words, STATE) !== start) return true;
    }
    for (;;) {
      if (Atomics.load(words, STATE) !== start) return true;
      const left = remaining(deadline);
      if (left === 0) return false;
      Atomics.add(words, SLEEPERS, 1);
      try {
        yield { words, index: STATE, expected: start, timeout: left };
      } finally {
        Atomics.sub(words, SLEEPERS, 1);
      }
    }
  }

  [inspectCustom](): string {
    return `Event(${this.isSet() ? 'set' : 'unset'})`;
  }
}

registerBlockReducer(Event, import.meta.url);
