/**
 * Semaphore and BoundedSemaphore in shared memory (Python's multiprocessing.Semaphore).
 * Words: the value, the number of sleepers (so release() skips the wake-up syscall when
 * nobody sleeps), and the bound (-1: none).
 */
import { ValueError } from '../errors.js';
import { remaining, wake, type Steps } from '../futex.js';
import { claim, kBlock, registerBlockReducer, wordsOf, type Block } from '../heap.js';
import { inspectCustom } from '../util.js';
import { Acquirable } from './acquirable.js';

const VALUE = 0;
const SLEEPERS = 1;
const BOUND = 2;
const MAX_VALUE = 0x7fffffff;

function checkValue(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_VALUE) {
    throw new ValueError(`${what}: the initial value must be an integer from 0 to ${MAX_VALUE}, got ${String(value)}`);
  }
  return value;
}

export class Semaphore extends Acquirable {
  readonly [kBlock]: Block;
  readonly #words: Int32Array;

  /** `value`: how many acquire() calls succeed before one waits (default 1). */
  constructor(value = 1) {
    super();
    const { block, fresh } = claim(12, 64, new.target.name);
    this[kBlock] = block;
    this.#words = wordsOf(block, 3);
    if (fresh) {
      this.#words[VALUE] = checkValue(value, new.target.name);
      this.#words[BOUND] = new.target === BoundedSemaphore ? value : -1;
    }
  }

  /** The current value (Python's get_value()). */
  getValue(): number {
    return Atomics.load(this.#words, VALUE);
  }

  protected tryAcquire(): boolean {
    const words = this.#words;
    for (let value = Atomics.load(words, VALUE); value > 0; value = Atomics.load(words, VALUE)) {
      if (Atomics.compareExchange(words, VALUE, value, value - 1) === value) return true;
    }
    return false;
  }

  protected *acquireSteps(deadline: number): Steps<boolean> {
    const words = this.#words;
    for (;;) {
      if (this.tryAcquire()) return true;
      const left = remaining(deadline);
      if (left === 0) return false;
      Atomics.add(words, SLEEPERS, 1);
      try {
        yield { words, index: VALUE, expected: 0, timeout: left };
      } finally {
        Atomics.sub(words, SLEEPERS, 1);
      }
    }
  }

  release(): void {
    const words = this.#words;
    const bound = words[BOUND];
    for (;;) {
      const value = Atomics.load(words, VALUE);
      if (bound >= 0 && value >= bound) {
        throw new ValueError(
          `${this.constructor.name}.release(): released more often than acquired (the value is already ${bound})`,
          'ERR_OVER_RELEASE',
        );
      }
      if (value === MAX_VALUE) throw new ValueError(`${this.constructor.name}.release(): the value would overflow`);
      if (Atomics.compareExchange(words, VALUE, value, value + 1) === value) break;
    }
    if (Atomics.load(words, SLEEPERS) > 0) wake(words, VALUE, 1);
  }

  [inspectCustom](): string {
    const bound = this.#words[BOUND];
    return `${this.constructor.name}(value=${this.getValue()}${bound >= 0 ? `, maxvalue=${bound}` : ''})`;
  }
}

/** A Semaphore whose release() raises ValueError rather than go above its initial value. */
export class BoundedSemaphore extends Semaphore {}

registerBlockReducer(Semaphore, import.meta.url);
registerBlockReducer(BoundedSemaphore, import.meta.url);
