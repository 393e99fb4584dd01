/**
 * What a SyncManager's server holds (Python's managers hold a dict, a list, a
 * threading.Lock…): plain objects of the server's own process, served to proxies one call at
 * a time per connection. Waiting calls (a lock's acquire, a queue's get) are Promises, so one
 * client waiting never holds up the others; a timeout is in milliseconds.
 *
 * Locks know their owner by the connection that took them (currentCaller), and, beyond
 * Python, a client that disconnects gives back what it held: a killed process does not
 * leave a lock locked for ever.
 */
import { isDeepStrictEqual } from 'node:util';
import { BrokenBarrierError, Empty, Full, LockNotOwnedError, ValueError } from '../errors.js';
import { checkTimeout } from '../util.js';
import type { ResolvedReference } from '../reference.js';
import { importFunction } from '../spawn/target.js';
import { currentCaller, kCallerGone, type CallerAware } from './caller.js';
import { localReferent } from './local.js';
import type { BaseProxy } from './proxy.js';

/** What a proxy's referentCopy() gets (Python's _getvalue): the referent's value, not its class's insides. */
export const kValue = Symbol('multiprocessing-ts.referent-value');

export function referentValue(object: unknown): unknown {
  return typeof object === 'object' && object !== null && typeof (object as { [kValue]?: unknown })[kValue] === 'function' ? (object as { [kValue](): unknown })[kValue]() : object;
}

export interface BlockingOptions {
  /** false: do not wait (Python's block=False). Default true. */
  readonly block?: boolean;
  /** Milliseconds to wait at most. Default: no limit. */
  readonly timeout?: number;
}

/** The time a blocking call may wait: 0 for block: false, undefined for no limit. */
function limitOf(options: BlockingOptions | undefined, what: string): number | undefined {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object') throw new TypeError(`${what}: options must be an object like { timeout: 1000 }`);
  const timeout = checkTimeout(options.timeout, what);
  return options.block === false ? 0 : timeout;
}

interface Waiter {
  readonly caller: number;
  /** true: its turn; false: out of time; null: its caller is gone. */
  wake(granted: boolean | null): void;
}

/** Callers waiting their turn, first come first served; each learns whether it got it or ran out of time. */
class Line {
  #waiters: Waiter[] = [];

  get length(): number {
    return this.#waiters.length;
  }

  /** Waits until woken (true), `timeout` ms (false), or `caller` disconnects (null). */
  wait(timeout: number | undefined, caller: number): Promise<boolean | null> {
    if (timeout === 0) return Promise.resolve(false);
    return new Promise<boolean | null>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        caller,
        wake: (granted) => {
          clearTimeout(timer);
          resolve(granted);
        },
      };
      if (timeout !== undefined) {
        timer = setTimeout(() => {
          this.#remove(waiter);
          resolve(false);
        }, timeout);
      }
      this.#waiters.push(waiter);
    });
  }

  /** The first waiter, out of the line (it is woken by the caller, who hands it something first). */
  first(): Waiter | undefined {
    return this.#waiters.shift();
  }

  wakeAll(granted = true): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.wake(granted);
  }

  /** A disconnected caller's waits end (nobody is there to be told). */
  drop(caller: number): void {
    for (const waiter of this.#waiters.filter((w) => w.caller === caller)) {
      this.#remove(waiter);
      waiter.wake(null);
    }
  }

  #remove(waiter: Waiter): void {
    const at = this.#waiters.indexOf(waiter);
    if (at >= 0) this.#waiters.splice(at, 1);
  }
}

/** How Python prints a value: floats of 'f'/'d' with a decimal point, strings in single quotes. */
function pyRepr(value: unknown, typecode: string): string {
  if (typeof value === 'number' && (typecode === 'f' || typecode === 'd') && Number.isInteger(value)) return value.toFixed(1);
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value === null || value === undefined) return 'None';
  return String(value);
}

// ---- containers ---------------------------------------------------------------------------

/** Python's dict in the manager: any keys, but only primitives find their entry again after crossing. */
export class DictReferent<K = unknown, V = unknown> {
  readonly #map: Map<K, V>;
  constructor(init?: Map<K, V> | Iterable<readonly [K, V]> | Record<string, V>) {
    this.#map = init === undefined || init === null ? new Map() : init instanceof Map ? new Map(init) : Symbol.iterator in Object(init) ? new Map(init as Iterable<[K, V]>) : new Map(Object.entries(init) as [K, V][]);
  }
  get(key: K, fallback?: V): V | undefined {
    return this.#map.has(key) ? this.#map.get(key) : fallback;
  }
  set(key: K, value: V): void {
    this.#map.set(key, value);
  }
  has(key: K): boolean {
    return this.#map.has(key);
  }
  delete(key: K): boolean {
    return this.#map.delete(key);
  }
  keys(): K[] {
    return [...this.#map.keys()];
  }
  values(): V[] {
    return [...this.#map.values()];
  }
  items(): [K, V][] {
    return [...this.#map.entries()];
  }
  len(): number {
    return this.#map.size;
  }
  pop(key: K, fallback?: V): V | undefined {
    if (!this.#map.has(key)) return fallback;
    const value = this.#map.get(key);
    this.#map.delete(key);
    return value;
  }
  popitem(): [K, V] {
    const last = [...this.#map.entries()].at(-1);
    if (last === undefined) throw new ValueError('dict.popitem(): the dictionary is empty', 'ERR_EMPTY');
    this.#map.delete(last[0]);
    return last;
  }
  setdefault(key: K, fallback: V): V {
    if (!this.#map.has(key)) this.#map.set(key, fallback);
    return this.#map.get(key) as V;
  }
  update(entries: Map<K, V> | Iterable<readonly [K, V]> | Record<string, V>): void {
    for (const [key, value] of new DictReferent<K, V>(entries).items()) this.#map.set(key, value);
  }
  clear(): void {
    this.#map.clear();
  }
  /** A copy (Python's dict(proxy) / proxy.copy()). */
  copy(): Map<K, V> {
    return new Map(this.#map);
  }
  [kValue](): Map<K, V> {
    return this.copy();
  }
}

function indexIn(length: number, index: number, what: string): number {
  if (!Number.isInteger(index)) throw new TypeError(`${what}: an index must be an integer, got ${String(index)}`);
  const at = index < 0 ? length + index : index;
  if (at < 0 || at >= length) throw new RangeError(`${what}: index ${index} is out of range (length ${length})`);
  return at;
}

/** Python's list in the manager; negative indices count from the end. */
export class ListReferent<T = unknown> {
  readonly #items: T[];
  constructor(init?: Iterable<T>) {
    this.#items = init === undefined || init === null ? [] : [...init];
  }
  get(index: number): T {
    return this.#items[indexIn(this.#items.length, index, 'list.get()')];
  }
  set(index: number, value: T): void {
    this.#items[indexIn(this.#items.length, index, 'list.set()')] = value;
  }
  append(value: T): void {
    this.#items.push(value);
  }
  extend(values: Iterable<T>): void {
    this.#items.push(...values);
  }
  insert(index: number, value: T): void {
    const length = this.#items.length;
    const at = index < 0 ? Math.max(0, length + index) : Math.min(index, length);
    this.#items.splice(at, 0, value);
  }
  pop(index = -1): T {
    if (this.#items.length === 0) throw new RangeError('list.pop(): the list is empty');
    return this.#items.splice(indexIn(this.#items.length, index, 'list.pop()'), 1)[0];
  }
  remove(value: T): void {
    const at = this.index(value);
    this.#items.splice(at, 1);
  }
  index(value: T): number {
    const at = this.#items.findIndex((item) => isDeepStrictEqual(item, value));
    if (at < 0) throw new ValueError(`list.index(): ${JSON.stringify(value) ?? String(value)} is not in the list`, 'ERR_NOT_FOUND');
    return at;
  }
  count(value: T): number {
    return this.#items.filter((item) => isDeepStrictEqual(item, value)).length;
  }
  reverse(): void {
    this.#items.reverse();
  }
  /** Sorts numbers numerically and everything else as strings (no key function crosses). */
  sort(options: { reverse?: boolean } = {}): void {
    const numeric = this.#items.every((item) => typeof item === 'number' || typeof item === 'bigint');
    this.#items.sort(numeric ? (a, b) => (a < b ? -1 : a > b ? 1 : 0) : undefined);
    if (options.reverse === true) this.#items.reverse();
  }
  len(): number {
    return this.#items.length;
  }
  slice(start?: number, end?: number): T[] {
    return this.#items.slice(start, end);
  }
  clear(): void {
    this.#items.length = 0;
  }
  copy(): T[] {
    return [...this.#items];
  }
  [kValue](): T[] {
    return this.copy();
  }
}

/** Python's Namespace: named values. */
export class NamespaceReferent {
  readonly #values: Map<string, unknown>;
  constructor(init: Record<string, unknown> = {}) {
    this.#values = new Map(Object.entries(init));
  }
  get(name: string): unknown {
    if (!this.#values.has(name)) throw new ValueError(`Namespace has no attribute "${name}"`, 'ERR_NO_ATTRIBUTE');
    return this.#values.get(name);
  }
  set(name: string, value: unknown): void {
    this.#values.set(name, value);
  }
  delete(name: string): void {
    if (!this.#values.delete(name)) throw new ValueError(`Namespace has no attribute "${name}"`, 'ERR_NO_ATTRIBUTE');
  }
  has(name: string): boolean {
    return this.#values.has(name);
  }
  copy(): Record<string, unknown> {
    return Object.fromEntries(this.#values);
  }
  [kValue](): Record<string, unknown> {
    return this.copy();
  }
}

/** Python's manager Value: one value, with its typecode for show (Python does not check it either). */
export class ValueReferent<T = unknown> {
  #value: T;
  constructor(
    readonly typecode: string,
    value: T,
  ) {
    this.#value = value;
  }
  get(): T {
    return this.#value;
  }
  set(value: T): void {
    this.#value = value;
  }
  [kValue](): T {
    return this.#value;
  }
  /** Python's repr: Value('i', 21), Value('d', 0.0), Value('c', 'hello'). */
  repr(): string {
    return `Value('${this.typecode}', ${pyRepr(this.#value, this.typecode)})`;
  }
}

/** Python's manager Array: a fixed-length list of numbers with a typecode. */
export class ArrayReferent {
  readonly #items: number[];
  constructor(
    readonly typecode: string,
    init: Iterable<number> | number,
  ) {
    this.#items = typeof init === 'number' ? new Array<number>(init).fill(0) : [...init];
    for (const item of this.#items) if (typeof item !== 'number') throw new TypeError(`Array(${typecode}): items must be numbers, got ${typeof item}`);
  }
  get(index: number): number {
    return this.#items[indexIn(this.#items.length, index, 'Array.get()')];
  }
  set(index: number, value: number): void {
    if (typeof value !== 'number') throw new TypeError(`Array.set(): a number, got ${typeof value}`);
    this.#items[indexIn(this.#items.length, index, 'Array.set()')] = value;
  }
  len(): number {
    return this.#items.length;
  }
  slice(start?: number, end?: number): number[] {
    return this.#items.slice(start, end);
  }
  copy(): number[] {
    return [...this.#items];
  }
  [kValue](): number[] {
    return this.copy();
  }
  /** Python's repr: array('i', [0, 1, 2]), array('d', [1.5, 2.0]). */
  repr(): string {
    return `array('${this.typecode}', [${this.#items.map((item) => pyRepr(item, this.typecode)).join(', ')}])`;
  }
}

/** Python's queue.Queue (and JoinableQueue: taskDone/join) in the manager. */
export class QueueReferent<T = unknown> implements CallerAware {
  readonly #items: T[] = [];
  readonly #getters = new Line();
  readonly #putters = new Line();
  readonly #joiners = new Line();
  #unfinished = 0;
  readonly maxsize: number;
  constructor(
    maxsize = 0,
    readonly joinable = false,
  ) {
    if (!Number.isInteger(maxsize) || maxsize < 0) throw new ValueError(`Queue: maxsize must be a non-negative integer, got ${String(maxsize)}`);
    this.maxsize = maxsize;
  }
  async put(item: T, options?: BlockingOptions): Promise<void> {
    const caller = currentCaller();
    let limit = limitOf(options, 'Queue.put()');
    const deadline = limit === undefined ? Infinity : performance.now() + limit;
    while (this.full()) {
      if ((await this.#putters.wait(limit, caller)) !== true) throw new Full(`Queue.put(): the queue is full (maxsize ${this.maxsize})`);
      limit = deadline === Infinity ? undefined : Math.max(0, deadline - performance.now());
    }
    this.#items.push(item);
    if (this.joinable) this.#unfinished++;
    this.#getters.first()?.wake(true);
  }
  putNowait(item: T): Promise<void> {
    return this.put(item, { block: false });
  }
  async get(options?: BlockingOptions): Promise<T> {
    const caller = currentCaller();
    let limit = limitOf(options, 'Queue.get()');
    const deadline = limit === undefined ? Infinity : performance.now() + limit;
    while (this.#items.length === 0) {
      if ((await this.#getters.wait(limit, caller)) !== true) throw new Empty(limit === 0 ? 'Queue.get(): the queue is empty' : `Queue.get(): nothing arrived within ${options?.timeout} ms`);
      limit = deadline === Infinity ? undefined : Math.max(0, deadline - performance.now());
    }
    const item = this.#items.shift() as T;
    this.#putters.first()?.wake(true);
    return item;
  }
  getNowait(): Promise<T> {
    return this.get({ block: false });
  }
  qsize(): number {
    return this.#items.length;
  }
  empty(): boolean {
    return this.#items.length === 0;
  }
  full(): boolean {
    return this.maxsize > 0 && this.#items.length >= this.maxsize;
  }
  taskDone(): void {
    if (!this.joinable) throw new ValueError('Queue.taskDone(): only a JoinableQueue counts tasks', 'ERR_NOT_JOINABLE');
    if (this.#unfinished === 0) throw new ValueError('JoinableQueue.taskDone(): called more times than there were items', 'ERR_TASK_DONE');
    if (--this.#unfinished === 0) this.#joiners.wakeAll();
  }
  async join(): Promise<void> {
    if (!this.joinable) throw new ValueError('Queue.join(): only a JoinableQueue can be joined', 'ERR_NOT_JOINABLE');
    const caller = currentCaller();
    while (this.#unfinished > 0) if ((await this.#joiners.wait(undefined, caller)) === null) return;
  }
  [kCallerGone](caller: number): void {
    // An item is never handed to a client that is gone.
    this.#getters.drop(caller);
    this.#putters.drop(caller);
    this.#joiners.drop(caller);
  }
}

// ---- synchronization ----------------------------------------------------------------------

/** threading.Lock in the manager: any caller may release it (as Python); a caller that disconnects gives it back. */
export class LockReferent implements CallerAware {
  protected owner = 0;
  protected holding = false;
  protected readonly line = new Line();

  acquire(options?: BlockingOptions): Promise<boolean> {
    return this.acquireFor(currentCaller(), limitOf(options, `${this.constructor.name}.acquire()`));
  }

  /** acquire() for `caller` (a Condition taking its lock back after a wait). */
  async acquireFor(caller: number, limit: number | undefined): Promise<boolean> {
    if (this.tryTake(caller)) return true;
    return (await this.line.wait(limit, caller)) === true; // release() hands it over before waking the next
  }

  release(): void {
    if (!this.holding) throw new ValueError('Lock.release(): the lock is not locked', 'ERR_OVER_RELEASE');
    this.handOver();
  }

  locked(): boolean {
    return this.holding;
  }

  [kCallerGone](caller: number): void {
    this.line.drop(caller);
    if (this.holding && this.owner === caller) this.handOver();
  }

  /** Takes it if free (or, for an RLock, held by this caller). */
  protected tryTake(caller: number): boolean {
    if (this.holding) return false;
    this.holding = true;
    this.owner = caller;
    return true;
  }

  protected handOver(): void {
    const next = this.line.first();
    if (next === undefined) {
      this.holding = false;
      this.owner = 0;
      return;
    }
    this.owner = next.caller;
    this.afterHandOver();
    next.wake(true);
  }

  protected afterHandOver(): void {}

  /** Whether the current caller holds it (Condition needs to know). */
  ownedByCaller(): boolean {
    return this.holding && this.owner === currentCaller();
  }
}

/** threading.RLock in the manager: recursive for its owner (the connection), released only by it. */
export class RLockReferent extends LockReferent {
  #depth = 0;

  protected override tryTake(caller: number): boolean {
    if (this.holding && this.owner === caller) {
      this.#depth++;
      return true;
    }
    if (!super.tryTake(caller)) return false;
    this.#depth = 1;
    return true;
  }

  override release(): void {
    if (!this.ownedByCaller()) throw new LockNotOwnedError('RLock.release(): this client does not hold the lock');
    if (--this.#depth === 0) this.handOver();
  }

  protected override afterHandOver(): void {
    this.#depth = 1;
  }

  /** Condition.wait gives the lock up whole and takes it back at the same depth. */
  releaseAll(): number {
    const depth = this.#depth;
    this.#depth = 1;
    this.release();
    return depth;
  }

  restoreDepth(depth: number): void {
    this.#depth = depth;
  }
}

/** threading.Semaphore / BoundedSemaphore in the manager. */
export class SemaphoreReferent implements CallerAware {
  #value: number;
  readonly #initial: number;
  readonly #line = new Line();
  constructor(
    value = 1,
    readonly bounded = false,
  ) {
    if (!Number.isInteger(value) || value < 0) throw new ValueError(`Semaphore: the initial value must be a non-negative integer, got ${String(value)}`);
    this.#value = value;
    this.#initial = value;
  }
  async acquire(options?: BlockingOptions): Promise<boolean> {
    const limit = limitOf(options, 'Semaphore.acquire()');
    if (this.#value > 0) {
      this.#value--;
      return true;
    }
    return (await this.#line.wait(limit, currentCaller())) === true; // release() hands its unit to the next waiter
  }
  release(n = 1): void {
    if (!Number.isInteger(n) || n < 1) throw new ValueError(`Semaphore.release(): n must be a positive integer, got ${String(n)}`);
    if (this.bounded && this.#value + n > this.#initial) {
      throw new ValueError('BoundedSemaphore.release(): released too many times', 'ERR_OVER_RELEASE');
    }
    for (let i = 0; i < n; i++) {
      const next = this.#line.first();
      if (next === undefined) this.#value++;
      else next.wake(true);
    }
  }
  getValue(): number {
    return this.#value;
  }
  [kCallerGone](caller: number): void {
    this.#line.drop(caller); // a unit is never handed to a client that is gone
  }
}

/** threading.Condition in the manager, over a Lock or RLock referent (default: a new RLock). */
export class ConditionReferent implements CallerAware {
  readonly #lock: LockReferent;
  readonly #line = new Line();
  constructor(lock?: LockReferent | null) {
    if (lock !== undefined && lock !== null && !(lock instanceof LockReferent)) {
      throw new TypeError("Condition: the lock must be this manager's Lock or RLock");
    }
    this.#lock = lock ?? new RLockReferent();
  }
  acquire(options?: BlockingOptions): Promise<boolean> {
    return this.#lock.acquire(options);
  }
  release(): void {
    this.#lock.release();
  }
  /** Gives up the lock, waits for a notify (true) or the timeout (false), and takes the lock back. */
  async wait(timeout?: number): Promise<boolean> {
    const caller = currentCaller();
    const ms = checkTimeout(timeout, 'Condition.wait()');
    this.#checkOwned('wait');
    const lock = this.#lock;
    const depth = lock instanceof RLockReferent ? lock.releaseAll() : (lock.release(), 1);
    const notified = await this.#line.wait(ms, caller);
    if (notified === null) return false; // its client is gone: nothing to take back for it
    await lock.acquireFor(caller, undefined);
    if (lock instanceof RLockReferent) lock.restoreDepth(depth);
    return notified;
  }
  notify(n = 1): void {
    this.#checkOwned('notify');
    if (!Number.isInteger(n) || n < 0) throw new TypeError(`Condition.notify(): n must be a non-negative integer, got ${String(n)}`);
    for (let i = 0; i < n; i++) {
      const next = this.#line.first();
      if (next === undefined) break;
      next.wake(true);
    }
  }
  notifyAll(): void {
    this.#checkOwned('notifyAll');
    this.#line.wakeAll();
  }
  [kCallerGone](caller: number): void {
    this.#line.drop(caller);
    this.#lock[kCallerGone](caller);
  }
  #checkOwned(method: string): void {
    if (!this.#lock.ownedByCaller()) throw new LockNotOwnedError(`Condition.${method}(): this client does not hold the condition's lock`);
  }
}

/** threading.Event in the manager. */
export class EventReferent {
  #flag = false;
  readonly #line = new Line();
  set(): void {
    this.#flag = true;
    this.#line.wakeAll();
  }
  clear(): void {
    this.#flag = false;
  }
  isSet(): boolean {
    return this.#flag;
  }
  async wait(timeout?: number): Promise<boolean> {
    const ms = checkTimeout(timeout, 'Event.wait()');
    if (this.#flag) return true;
    return (await this.#line.wait(ms, currentCaller())) === true || this.#flag;
  }
}

interface Party {
  readonly index: number;
  resolve(index: number): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

/** threading.Barrier in the manager: the last of `parties` to arrive runs `action` (in the server), then all go on. */
export class BarrierReferent {
  readonly #parties: number;
  readonly #action: (() => unknown) | null;
  readonly #timeout: number | undefined;
  #waiting: Party[] = [];
  #broken = false;
  constructor(parties: number, action: (() => unknown) | null = null, timeout?: number) {
    if (!Number.isInteger(parties) || parties < 1) throw new ValueError(`Barrier: parties must be a positive integer, got ${String(parties)}`);
    this.#parties = parties;
    this.#action = action;
    this.#timeout = checkTimeout(timeout, 'Barrier');
  }
  async wait(timeout?: number): Promise<number> {
    const ms = checkTimeout(timeout, 'Barrier.wait()') ?? this.#timeout;
    if (this.#broken) throw new BrokenBarrierError('Barrier.wait(): the barrier is broken');
    const index = this.#waiting.length;
    if (index === this.#parties - 1) {
      try {
        await this.#action?.();
      } catch (error) {
        this.#break();
        throw error;
      }
      const waiting = this.#waiting;
      this.#waiting = [];
      for (const party of waiting) {
        clearTimeout(party.timer);
        party.resolve(party.index);
      }
      return index;
    }
    return new Promise<number>((resolve, reject) => {
      const party: Party = { index, resolve, reject };
      if (ms !== undefined) party.timer = setTimeout(() => this.#break(), ms);
      this.#waiting.push(party);
    });
  }
  abort(): void {
    this.#break();
  }
  reset(): void {
    this.#break();
    this.#broken = false;
  }
  parties(): number {
    return this.#parties;
  }
  nWaiting(): number {
    return this.#waiting.length;
  }
  broken(): boolean {
    return this.#broken;
  }
  #break(): void {
    this.#broken = true;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const party of waiting) {
      clearTimeout(party.timer);
      party.reject(new BrokenBarrierError('Barrier.wait(): the barrier was broken (aborted, reset, or a wait timed out)'));
    }
  }
}

// ---- factories: what a SyncManager's types call in the server (found there by reference) ----

export const makeDict = (init?: Map<unknown, unknown> | Iterable<readonly [unknown, unknown]> | Record<string, unknown>): DictReferent => new DictReferent(init);
export const makeList = (init?: Iterable<unknown>): ListReferent => new ListReferent(init);
export const makeNamespace = (init?: Record<string, unknown>): NamespaceReferent => new NamespaceReferent(init);
export const makeValue = (typecode: string, value: unknown): ValueReferent => new ValueReferent(typecode, value);
export const makeArray = (typecode: string, init: Iterable<number> | number): ArrayReferent => new ArrayReferent(typecode, init);
export const makeQueue = (maxsize?: number): QueueReferent => new QueueReferent(maxsize, false);
export const makeJoinableQueue = (maxsize?: number): QueueReferent => new QueueReferent(maxsize, true);
export const makeLock = (): LockReferent => new LockReferent();
export const makeRLock = (): RLockReferent => new RLockReferent();
export const makeSemaphore = (value?: number): SemaphoreReferent => new SemaphoreReferent(value, false);
export const makeBoundedSemaphore = (value?: number): SemaphoreReferent => new SemaphoreReferent(value, true);
/** The lock arrives as a proxy of this server's own (see local.ts): the Condition holds the lock itself. */
export function makeCondition(lock?: BaseProxy | null): ConditionReferent {
  if (lock === undefined || lock === null) return new ConditionReferent(null);
  const referent = localReferent(lock);
  if (!(referent instanceof LockReferent)) throw new TypeError("Condition(lock): the lock must be a Lock or RLock of this same manager");
  return new ConditionReferent(referent);
}
export const makeEvent = (): EventReferent => new EventReferent();

/** A Barrier's action is an exported function (its reference crosses; it runs in the server). */
export async function makeBarrier(parties: number, action: ResolvedReference | null, timeout?: number): Promise<BarrierReferent> {
  const fn = action === null ? null : await importFunction(action, 'the action of a manager Barrier');
  return new BarrierReferent(parties, fn, timeout);
}
