/**
 * Queue, JoinableQueue and SimpleQueue (Python's multiprocessing.queues), over one shared
 * memory channel (channel.ts) that every process holding the queue reads and writes directly.
 *
 * Unlike Python's, a put never hands the item to a feeder thread: the item is in shared memory
 * when put returns. So an exiting producer loses nothing and waits for nobody (cpython#73983),
 * joinThread() has nothing to wait for, and an unbounded queue's put never blocks.
 */
import { Channel, checkBufferSize, type ChannelOptions } from './channel.js';
import { Empty, Full, ValueError } from './errors.js';
import { deadlineAfter, runAsync, runSync } from './futex.js';
import { kBlock, registerBlockReducer, type Block } from './heap.js';
import { encode } from './message.js';
import { checkTimeout, inspectCustom } from './util.js';

export interface QueueOptions {
  /**
   * Bytes of shared memory the queue keeps for messages (a power of two, default 4 MiB).
   * Larger messages, and messages put while it is full, go to overflow segments.
   */
  readonly bufferSize?: number;
}

export interface PutOptions {
  /** false: raise Full at once if a bounded queue is full (default true: wait for room). */
  readonly block?: boolean;
  /** Milliseconds to wait for room, then Full; default: no limit. */
  readonly timeout?: number;
  /** Promise forms only: stop waiting, rejecting with the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface GetOptions {
  /** false: raise Empty at once if no item is there (default true: wait for one). */
  readonly block?: boolean;
  /** Milliseconds to wait for an item, then Empty; default: no limit. */
  readonly timeout?: number;
  /** Promise forms only: stop waiting, rejecting with the signal's reason. */
  readonly signal?: AbortSignal;
}

function options<T extends PutOptions | GetOptions>(given: T | undefined, what: string): T {
  if (given === undefined || given === null) return {} as T;
  if (typeof given !== 'object') throw new TypeError(`${what}: options must be an object like { block, timeout, signal }`);
  checkTimeout(given.timeout, what);
  return given;
}

/** What Queue, JoinableQueue and SimpleQueue share: a channel and this handle's closed state. */
abstract class QueueBase<T> {
  readonly [kBlock]: Block;
  protected readonly channel: Channel;
  #closed = false;

  protected constructor(channelOptions: ChannelOptions, what: string) {
    this.channel = new Channel(channelOptions, what);
    this[kBlock] = this.channel[kBlock];
  }

  /** JoinableQueue counts every put as unfinished until taskDone(). */
  protected get joinable(): boolean {
    return false;
  }

  protected checkOpen(method: string): void {
    if (this.#closed) throw new ValueError(`${this.constructor.name}.${method}: this queue handle is closed`, 'ERR_CLOSED');
  }

  protected putNow(item: T, method: string): boolean {
    this.checkOpen(method);
    const message = encode(item, `${this.constructor.name}.${method} item`);
    return this.channel.tryPut(message, this.joinable) || this.#putWait(message, 0);
  }

  protected async putAsync(item: T, given: PutOptions | undefined, method: string): Promise<void> {
    const { block = true, timeout, signal } = options(given, `${this.constructor.name}.${method}`);
    this.checkOpen(method);
    signal?.throwIfAborted();
    const message = encode(item, `${this.constructor.name}.${method} item`);
    if (this.channel.tryPut(message, this.joinable)) return;
    const done = block
      ? await runAsync(this.channel.putSteps(message, this.joinable, deadlineAfter(timeout)), signal)
      : (this.#putWait(message, 0));
    if (!done) throw this.#full(block ? timeout : 0, method);
  }

  protected putBlocking(item: T, given: Omit<PutOptions, 'signal'> | undefined, method: string): void {
    const { block = true, timeout } = options(given, `${this.constructor.name}.${method}`);
    this.checkOpen(method);
    const message = encode(item, `${this.constructor.name}.${method} item`);
    if (this.channel.tryPut(message, this.joinable)) return;
    if (!this.#putWait(message, block ? timeout : 0)) throw this.#full(block ? timeout : 0, method);
  }

  #putWait(message: ReturnType<typeof encode>, timeout: number | undefined): boolean {
    return runSync(this.channel.putSteps(message, this.joinable, deadlineAfter(timeout)));
  }

  #full(timeout: number | undefined, method: string): Full {
    const maxsize = this.channel.maxsize;
    return new Full(
      timeout === 0
        ? `${this.constructor.name}.${method}: the queue is full (maxsize ${maxsize}); wait for room with put(item) or a timeout`
        : `${this.constructor.name}.${method}: the queue stayed full (maxsize ${maxsize}) for ${timeout} ms`,
    );
  }

  protected getNow(method: string): T {
    this.checkOpen(method);
    const channel = this.channel;
    if (channel.tryReceive()) return channel.takeValue() as T;
    throw new Empty(`${this.constructor.name}.${method}: the queue is empty`);
  }

  protected async getAsync(given: GetOptions | undefined, method: string): Promise<T> {
    const { block = true, timeout, signal } = options(given, `${this.constructor.name}.${method}`);
    this.checkOpen(method);
    signal?.throwIfAborted();
    const channel = this.channel;
    if (channel.tryReceive()) return (await channel.takeValueAsync()) as T;
    if (!block) throw new Empty(`${this.constructor.name}.${method}: the queue is empty`);
    if (!(await runAsync(channel.receiveSteps(deadlineAfter(timeout)), signal))) throw this.#empty(timeout, method);
    return (await channel.takeValueAsync()) as T;
  }

  protected getBlocking(given: Omit<GetOptions, 'signal'> | undefined, method: string): T {
    const { block = true, timeout } = options(given, `${this.constructor.name}.${method}`);
    if (!block) return this.getNow(method);
    this.checkOpen(method);
    const channel = this.channel;
    if (channel.tryReceive()) return channel.takeValue() as T;
    if (!runSync(channel.receiveSteps(deadlineAfter(timeout)))) throw this.#empty(timeout, method);
    return channel.takeValue() as T;
  }

  #empty(timeout: number | undefined, method: string): Empty {
    return new Empty(`${this.constructor.name}.${method}: no item arrived within ${timeout} ms`);
  }

  /** True if the queue is empty (a snapshot: other processes may put or get at any time). */
  empty(): boolean {
    return this.channel.size === 0;
  }

  /** This handle can no longer put or get; other handles, here or elsewhere, are unaffected. */
  close(): void {
    this.#closed = true;
  }

  get closed(): boolean {
    return this.#closed;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  [inspectCustom](): string {
    const maxsize = this.channel.maxsize;
    return `${this.constructor.name}(size=${this.channel.size}${maxsize > 0 ? `, maxsize=${maxsize}` : ''}${this.#closed ? ', closed' : ''})`;
  }
}

/** The methods a manager's AutoProxy may call (managers/server.ts reads it; Symbol.for, so no import). */
const kExposed = Symbol.for('multiprocessing-ts.exposed');

/**
 * A FIFO queue shared by any number of producers and consumers in any processes and threads
 * (Python's multiprocessing.Queue). Pass it to a Process, or through another queue or pipe.
 */
export class Queue<T = unknown> extends QueueBase<T> {
  /** What a manager's AutoProxy of a Queue may call (the Promise forms: a Sync one would stall the server). */
  static readonly [kExposed]: readonly string[] = ['put', 'get', 'putNowait', 'getNowait', 'qsize', 'empty', 'full', 'close'];

  /** `maxsize` > 0 bounds the queue: puts wait for room. 0 (default): unbounded, puts never wait. */
  constructor(maxsize = 0, options: QueueOptions = {}) {
    if (!Number.isInteger(maxsize) || maxsize < 0 || maxsize > 0x7fffffff) {
      throw new ValueError(`Queue: maxsize must be a non-negative integer, got ${String(maxsize)}`);
    }
    super({ maxsize, bufferSize: checkBufferSize(options.bufferSize, 'Queue') }, new.target.name);
  }

  /** Puts `item`; waits for room if the queue is bounded and full (Full after `timeout`). */
  put(item: T, options?: PutOptions): Promise<void> {
    return this.putAsync(item, options, 'put()');
  }

  /** put(), blocking this thread: for workers and scripts. */
  putSync(item: T, options?: Omit<PutOptions, 'signal'>): void {
    this.putBlocking(item, options, 'putSync()');
  }

  /** Puts `item` now, or raises Full. */
  putNowait(item: T): void {
    this.putBlocking(item, { block: false }, 'putNowait()');
  }

  /** Takes the oldest item; waits for one (Empty after `timeout`). */
  get(options?: GetOptions): Promise<T> {
    return this.getAsync(options, 'get()');
  }

  /** get(), blocking this thread: for workers and scripts. */
  getSync(options?: Omit<GetOptions, 'signal'>): T {
    return this.getBlocking(options, 'getSync()');
  }

  /** Takes the oldest item now, or raises Empty (also while another consumer is mid-get, as in Python). */
  getNowait(): T {
    return this.getNow('getNowait()');
  }

  /** Items in the queue (a snapshot). */
  qsize(): number {
    return this.channel.size;
  }

  full(): boolean {
    return this.channel.full;
  }

  get maxsize(): number {
    return this.channel.maxsize;
  }

  /**
   * Python waits here for its feeder thread to flush; items put here are already in shared
   * memory, so this only checks that close() was called, as Python does.
   */
  joinThread(): void {
    if (!this.closed) throw new ValueError(`${this.constructor.name}.joinThread(): call close() first`, 'ERR_NOT_CLOSED');
  }

  /** Python's escape from joinThread()'s wait at exit. Nothing waits here, so nothing to cancel. */
  cancelJoinThread(): void {}
}

/**
 * A Queue whose consumers mark each item done (taskDone), so that producers can wait until
 * every item put has been processed (join), as Python's multiprocessing.JoinableQueue.
 */
export class JoinableQueue<T = unknown> extends Queue<T> {
  static override readonly [kExposed]: readonly string[] = [...Queue[kExposed], 'taskDone', 'join'];

  protected override get joinable(): boolean {
    return true;
  }

  /** One item taken from the queue has been processed. ValueError if more than were put. */
  taskDone(): void {
    if (!this.channel.taskDone()) {
      throw new ValueError('JoinableQueue.taskDone() called more times than there were items put', 'ERR_TASK_DONE');
    }
  }

  /** Resolves once taskDone() has been called for every item put (true), false on timeout. */
  async join(options?: { readonly timeout?: number; readonly signal?: AbortSignal }): Promise<boolean> {
    const { timeout, signal } = options ?? {};
    checkTimeout(timeout, 'JoinableQueue.join()');
    if (this.channel.unfinished === 0) return true;
    return runAsync(this.channel.joinSteps(deadlineAfter(timeout)), signal);
  }

  joinSync(options?: { readonly timeout?: number }): boolean {
    const timeout = checkTimeout(options?.timeout, 'JoinableQueue.joinSync()');
    return runSync(this.channel.joinSteps(deadlineAfter(timeout)));
  }

  /** Items put and not yet marked done. */
  get unfinishedTasks(): number {
    return this.channel.unfinished;
  }
}

/** An unbounded queue with only put, get, empty and close (Python's SimpleQueue). */
export class SimpleQueue<T = unknown> extends QueueBase<T> {
  static readonly [kExposed]: readonly string[] = ['put', 'get', 'empty', 'close'];

  constructor(options: QueueOptions = {}) {
    super({ bufferSize: checkBufferSize(options.bufferSize, 'SimpleQueue') }, new.target.name);
  }

  /** Puts `item`; never waits (the queue is unbounded). */
  put(item: T): void {
    this.putNow(item, 'put()');
  }

  /** Takes the oldest item, waiting for one. */
  get(options?: Omit<GetOptions, 'block'>): Promise<T> {
    return this.getAsync(options, 'get()');
  }

  getSync(options?: Omit<GetOptions, 'block' | 'signal'>): T {
    return this.getBlocking(options, 'getSync()');
  }
}

registerBlockReducer(Queue, import.meta.url);
registerBlockReducer(JoinableQueue, import.meta.url);
registerBlockReducer(SimpleQueue, import.meta.url);
