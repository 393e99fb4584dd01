/**
 * The state of every task in flight, in shared memory: one word per slot, written by the pool
 * (queued, cancelled) and by the worker that runs it (started). A compare-and-swap decides the
 * race between a worker starting a task and the pool taking it back (abort, cancel, a worker
 * lost before it got there), so the pool always knows whether a task ran.
 *
 *   word = generation << 2 | state      (the generation tells a slot's successive tasks apart)
 */
import { claim, kBlock, registerBlockReducer, wordsOf, type Block } from '../heap.js';

export const FREE = 0;
export const QUEUED = 1;
export const STARTED = 2;
export const CANCELLED = 3;
const GENERATIONS = 1 << 29;
const HEADER = 1; // word 0: the number of slots

export class TaskTable {
  readonly [kBlock]: Block;
  readonly #words: Int32Array;
  readonly size: number;

  /** A new table of `size` slots, or (inside heap.attachTo) the one in an existing block. */
  constructor(size = 0) {
    const { block, fresh } = claim((HEADER + size) * 4, 64, 'Pool');
    this[kBlock] = block;
    if (fresh) new Int32Array(block.arena.buffer, block.offset, 1)[0] = size;
    this.size = new Int32Array(block.arena.buffer, block.offset, 1)[0];
    this.#words = wordsOf(block, HEADER + this.size).subarray(HEADER);
  }

  /**
   * Pool side: the slot now holds a queued task of this generation. A plain store: no worker
   * looks at the slot before it has the task's record, and the channel's put that publishes
   * the record is a sequentially consistent store after this one (an Atomics.store here waits
   * for the cache line, which a worker has just written: a third of a tiny task's send).
   */
  queue(slot: number, generation: number): void {
    this.#words[slot] = ((generation % GENERATIONS) << 2) | QUEUED;
  }

  /** Worker side: claims a queued task; false if the pool took it back first. */
  start(slot: number, generation: number): boolean {
    const queued = ((generation % GENERATIONS) << 2) | QUEUED;
    return Atomics.compareExchange(this.#words, slot, queued, queued - QUEUED + STARTED) === queued;
  }

  /** Pool side: takes back a task no worker has started; false if one has. */
  cancel(slot: number, generation: number): boolean {
    const queued = ((generation % GENERATIONS) << 2) | QUEUED;
    return Atomics.compareExchange(this.#words, slot, queued, queued - QUEUED + CANCELLED) === queued;
  }

  /** Whether the task in the slot was started by a worker. */
  started(slot: number, generation: number): boolean {
    return Atomics.load(this.#words, slot) === (((generation % GENERATIONS) << 2) | STARTED);
  }
}

registerBlockReducer(TaskTable, import.meta.url);
