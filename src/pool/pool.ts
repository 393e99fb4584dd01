/**
 * Pool and ThreadPool (CPython's multiprocessing.pool), over the scheduler (scheduler.ts).
 *
 * Beyond Python: a worker that dies mid-task fails that task with WorkerLostError instead of
 * hanging the pool (cpython gh-66587); tasks take an AbortSignal and a timeout; imap pulls
 * lazily from sync and async iterables; maps report progress.
 */
import { contextOf, getContext, type Context } from '../context.js';
import { BrokenProcessPool, ValueError, WorkerLostError, type WorkerDetails } from '../errors.js';
import type { ResourceLimits } from '../popen/popen.js';
import type { Process, Target } from '../process.js';
import { explicitReference, isModuleReference, referenceOf, type ModuleReference, type ResolvedReference } from '../reference.js';
import { needsReducing } from '../reduction.js';
import type { StartMethod } from '../start-methods.js';
import { checkTimeout, inspectCustom } from '../util.js';
import { AsyncResult, kQuiet, kSettle, noCallbacks, type ResultCallbacks } from './async-result.js';
import { callSafely, pendingPromise, settlePromise } from './eventual.js';
import { checkChunksize, defaultChunksize, mapLazily, mapList, type MapOptions } from './map.js';
import { CALL, MAP, STARMAP, type Mode } from './protocol.js';
import { Scheduler, Task, type TaskOptions } from './scheduler.js';

const NO_OPTIONS: ApplyOptions<unknown> = Object.freeze({});

/** What a task function resolves to in the caller (a Promise's value for an async function). */
export type ResultOf<F extends Target> = Awaited<ReturnType<F>>;
/** The one parameter of a function mapped over items. */
type ItemOf<F extends Target> = Parameters<F>[0];

export interface PoolOptions {
  /** Number of workers; default: cpuCount(). */
  readonly processes?: number;
  /** Run in every worker as it starts (an exported function, or a { module, name } reference). */
  readonly initializer?: Target | ModuleReference;
  /** Arguments for the initializer. */
  readonly initargs?: unknown[];
  /** Replace a worker after it has run this many tasks (Python's maxtasksperchild). */
  readonly maxtasksperchild?: number | null;
  /** How workers start: a context (getContext('thread')) or a start method name. */
  readonly context?: Context | StartMethod;
  /** Each worker's heap and stack limits: a task that runs out of memory loses its worker only. */
  readonly resourceLimits?: ResourceLimits;
}

export interface ApplyOptions<R> extends TaskOptions, ResultCallbacks<R> {
  /** Python's kwds: passed to the function as one final options argument. */
  readonly kwargs?: Record<string, unknown>;
  /**
   * Buffers among the arguments to move to a thread worker rather than copy (they are
   * detached here once the task is handed out). Worker processes get copies as usual.
   */
  readonly transfer?: readonly ArrayBufferLike[];
}

export interface MapAsyncOptions<R> extends MapOptions, ResultCallbacks<R> {}

export type ImapOptions = MapOptions;

const prefixes: Record<StartMethod, string> = { spawn: 'SpawnPoolWorker', thread: 'ThreadPoolWorker', forkserver: 'ForkServerPoolWorker' };

/** How much a map may read ahead of its consumer, in chunks per worker. */
const IMAP_WINDOW_PER_WORKER = 64;

/** The context a pool or executor option names (default: the default context). */
export function checkWorkers(count: unknown, what: string, option: string): number | undefined {
  if (count === undefined || count === null) return undefined;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    throw new ValueError(`${what}: ${option} must be an integer of at least 1, got ${String(count)}`);
  }
  return count;
}

export function initializerOf(initializer: unknown, what: string): ResolvedReference | null {
  if (initializer === undefined || initializer === null) return null;
  if (isModuleReference(initializer)) return explicitReference(initializer);
  if (typeof initializer !== 'function') throw new TypeError(`${what}: initializer must be a function or a { module, name } reference`);
  return referenceOf(initializer as Target, `the initializer of ${what}`);
}

function argsOf(args: unknown, kwargs: Record<string, unknown> | undefined, owner: string): unknown[] {
  if (args === undefined) args = [];
  if (!Array.isArray(args)) throw new TypeError(`${owner}.apply(): args must be an array of arguments`);
  return kwargs === undefined ? args : [...args, kwargs];
}

/** Validates the `transfer` option: ArrayBuffers, with arguments a thread's port can carry. */
function checkTransfer(transfer: unknown, args: unknown[], what: string): readonly ArrayBuffer[] | null {
  if (!Array.isArray(transfer) || !transfer.every((item) => item instanceof ArrayBuffer)) {
    throw new TypeError(`${what}: transfer must be an array of ArrayBuffers (a SharedArrayBuffer is shared without it)`);
  }
  if (needsReducing(args)) {
    throw new TypeError(`${what}: with transfer, the arguments must be plain data (no locks, queues or other library objects)`);
  }
  return transfer.length === 0 ? null : (transfer as ArrayBuffer[]);
}

/** An apply call: its outcome settles a promise (and runs the callbacks, as applyAsync's). */
class PromiseTask extends Task {
  readonly promise: Promise<unknown> = pendingPromise();
  constructor(
    functionId: number,
    args: unknown[],
    readonly callbacks: ResultCallbacks<unknown>,
  ) {
    super(functionId, CALL, args);
  }

  override quiet(): boolean {
    return noCallbacks(this.callbacks);
  }

  onOutcome(ok: boolean, value: unknown): void {
    settlePromise(this.promise, ok, value);
    callSafely(ok ? this.callbacks.callback : this.callbacks.errorCallback, value);
  }
}

/** An applyAsync call: its outcome settles the AsyncResult. */
class ApplyTask extends Task {
  constructor(
    functionId: number,
    args: unknown[],
    readonly result: AsyncResult<unknown>,
  ) {
    super(functionId, CALL, args);
  }

  override quiet(): boolean {
    return this.result[kQuiet]();
  }

  onOutcome(ok: boolean, value: unknown): void {
    this.result[kSettle](ok, value);
  }
}

/** Array.fromAsync, which Node 20 lacks. */
async function collect(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

function mapOptions<O extends MapOptions>(given: number | O | undefined, what: string): O {
  const options = (typeof given === 'number' ? { chunksize: given } : (given ?? {})) as O;
  if (typeof options !== 'object') throw new TypeError(`${what}: options must be a chunksize or an object like { chunksize }`);
  checkChunksize(options.chunksize, what);
  checkTimeout(options.timeout, what);
  return options;
}

/**
 * A pool of worker processes (or threads, with the 'thread' context) running exported
 * functions: Python's `multiprocessing.Pool`. Timeouts are in milliseconds.
 */
export class Pool implements AsyncDisposable {
  readonly #scheduler: Scheduler;
  readonly #processes: number;

  constructor(options: PoolOptions | number = {}) {
    const given: PoolOptions = typeof options === 'number' ? { processes: options } : options;
    if (typeof given !== 'object' || given === null) throw new TypeError('Pool: options must be a number of processes or an object');
    const what = new.target.name;
    const processes = checkWorkers(given.processes, what, 'processes') ?? getContext().cpuCount();
    const maxtasks = checkWorkers(given.maxtasksperchild, what, 'maxtasksperchild') ?? null;
    const context = contextOf(given.context ?? new.target.defaultContext, what);
    const method = context.getStartMethod() ?? 'spawn';
    if (given.initargs !== undefined && !Array.isArray(given.initargs)) throw new TypeError(`${what}: initargs must be an array`);
    this.#processes = processes;
    this.#scheduler = new Scheduler({
      what,
      processes,
      ProcessClass: context.Process as unknown as new (options: object) => Process,
      namePrefix: prefixes[method],
      initializer: initializerOf(given.initializer, what),
      initargs: given.initargs ?? [],
      maxTasksPerWorker: maxtasks,
      resourceLimits: given.resourceLimits,
      lostError: (message: string, details: WorkerDetails, cause?: unknown) =>
        new WorkerLostError(message, details, undefined, cause === undefined ? undefined : { cause }),
      brokenError: (message: string, details: WorkerDetails, cause?: unknown) =>
        new BrokenProcessPool(message, details, cause === undefined ? undefined : { cause }),
    });
  }

  /** The context a subclass uses when none is given (ThreadPool: 'thread'). */
  static defaultContext: StartMethod | undefined = undefined;

  /** Runs fn(...args) in a worker and resolves with its result (Python's apply, which blocks). */
  apply<F extends Target>(fn: F, args?: Parameters<F>, options?: ApplyOptions<ResultOf<F>>): Promise<ResultOf<F>>;
  apply(fn: ModuleReference, args?: unknown[], options?: ApplyOptions<unknown>): Promise<unknown>;
  apply(fn: Target | ModuleReference, args?: unknown[], options: ApplyOptions<unknown> = NO_OPTIONS): Promise<unknown> {
    // A plain promise, not an AsyncResult made into one: half the objects per call.
    const id = this.#functionId(fn, options, 'apply');
    const values = argsOf(args, options.kwargs, this.constructor.name);
    const task = new PromiseTask(id, values, options);
    if (options.transfer !== undefined) task.transfer = checkTransfer(options.transfer, values, `${this.constructor.name}.apply()`);
    this.#scheduler.submit(task, options);
    return task.promise;
  }

  /** Runs fn(...args) in a worker; the AsyncResult (also awaitable) gives the result. */
  applyAsync<F extends Target>(fn: F, args?: Parameters<F>, options?: ApplyOptions<ResultOf<F>>): AsyncResult<ResultOf<F>>;
  applyAsync(fn: ModuleReference, args?: unknown[], options?: ApplyOptions<unknown>): AsyncResult<unknown>;
  applyAsync(fn: Target | ModuleReference, args?: unknown[], options: ApplyOptions<unknown> = NO_OPTIONS): AsyncResult<unknown> {
    const id = this.#functionId(fn, options, 'applyAsync');
    const result = new AsyncResult<unknown>(options);
    const values = argsOf(args, options.kwargs, this.constructor.name);
    const task = new ApplyTask(id, values, result);
    if (options.transfer !== undefined) task.transfer = checkTransfer(options.transfer, values, `${this.constructor.name}.applyAsync()`);
    this.#scheduler.submit(task, options);
    return result;
  }

  /** fn applied to every item, in order (Python's map: the items go in chunks). */
  map<F extends Target>(fn: F, iterable: Iterable<ItemOf<F>> | AsyncIterable<ItemOf<F>>, options?: number | MapOptions): Promise<ResultOf<F>[]>;
  map(fn: ModuleReference, iterable: Iterable<unknown> | AsyncIterable<unknown>, options?: number | MapOptions): Promise<unknown[]>;
  map(fn: Target | ModuleReference, iterable: Iterable<unknown> | AsyncIterable<unknown>, options?: number | MapOptions): Promise<unknown[]> {
    return Promise.resolve(this.#mapAsync(fn, iterable, mapOptions(options, `${this.constructor.name}.map()`), MAP, 'map'));
  }

  /** Like map, without waiting: the AsyncResult gives the list (callbacks as applyAsync). */
  mapAsync<F extends Target>(fn: F, iterable: Iterable<ItemOf<F>> | AsyncIterable<ItemOf<F>>, options?: number | MapAsyncOptions<ResultOf<F>[]>): AsyncResult<ResultOf<F>[]>;
  mapAsync(fn: ModuleReference, iterable: Iterable<unknown> | AsyncIterable<unknown>, options?: number | MapAsyncOptions<unknown[]>): AsyncResult<unknown[]>;
  mapAsync(fn: Target | ModuleReference, iterable: Iterable<unknown> | AsyncIterable<unknown>, options?: number | MapAsyncOptions<unknown[]>): AsyncResult<unknown[]> {
    return this.#mapAsync(fn, iterable, mapOptions(options, `${this.constructor.name}.mapAsync()`), MAP, 'mapAsync');
  }

  /** fn(...args) for every args array, in order (Python's starmap). */
  starmap<F extends Target>(fn: F, iterable: Iterable<Parameters<F>> | AsyncIterable<Parameters<F>>, options?: number | MapOptions): Promise<ResultOf<F>[]>;
  starmap(fn: ModuleReference, iterable: Iterable<unknown[]> | AsyncIterable<unknown[]>, options?: number | MapOptions): Promise<unknown[]>;
  starmap(fn: Target | ModuleReference, iterable: Iterable<unknown[]> | AsyncIterable<unknown[]>, options?: number | MapOptions): Promise<unknown[]> {
    return Promise.resolve(this.#mapAsync(fn, iterable, mapOptions(options, `${this.constructor.name}.starmap()`), STARMAP, 'starmap'));
  }

  starmapAsync<F extends Target>(fn: F, iterable: Iterable<Parameters<F>> | AsyncIterable<Parameters<F>>, options?: number | MapAsyncOptions<ResultOf<F>[]>): AsyncResult<ResultOf<F>[]>;
  starmapAsync(fn: ModuleReference, iterable: Iterable<unknown[]> | AsyncIterable<unknown[]>, options?: number | MapAsyncOptions<unknown[]>): AsyncResult<unknown[]>;
  starmapAsync(fn: Target | ModuleReference, iterable: Iterable<unknown[]> | AsyncIterable<unknown[]>, options?: number | MapAsyncOptions<unknown[]>): AsyncResult<unknown[]> {
    return this.#mapAsync(fn, iterable, mapOptions(options, `${this.constructor.name}.starmapAsync()`), STARMAP, 'starmapAsync');
  }

  /** Results in order as they come, reading the iterable lazily (default chunksize 1). */
  imap<F extends Target>(fn: F, iterable: Iterable<ItemOf<F>> | AsyncIterable<ItemOf<F>>, options?: number | MapOptions): AsyncGenerator<ResultOf<F>, void, undefined>;
  imap(fn: ModuleReference, iterable: Iterable<unknown> | AsyncIterable<unknown>, options?: number | MapOptions): AsyncGenerator<unknown, void, undefined>;
  imap(fn: Target | ModuleReference, iterable: Iterable<unknown> | AsyncIterable<unknown>, options?: number | MapOptions): AsyncGenerator<unknown, void, undefined> {
    return this.#imap(fn, iterable, options, true, 'imap');
  }

  /** Like imap, in the order the results finish. */
  imapUnordered<F extends Target>(fn: F, iterable: Iterable<ItemOf<F>> | AsyncIterable<ItemOf<F>>, options?: number | MapOptions): AsyncGenerator<ResultOf<F>, void, undefined>;
  imapUnordered(fn: ModuleReference, iterable: Iterable<unknown> | AsyncIterable<unknown>, options?: number | MapOptions): AsyncGenerator<unknown, void, undefined>;
  imapUnordered(fn: Target | ModuleReference, iterable: Iterable<unknown> | AsyncIterable<unknown>, options?: number | MapOptions): AsyncGenerator<unknown, void, undefined> {
    return this.#imap(fn, iterable, options, false, 'imapUnordered');
  }

  /** No more tasks; the workers exit once the tasks already given are done (then join()). */
  close(): void {
    this.#scheduler.close();
  }

  /** Stops the workers at once; unfinished tasks fail with CancelledError. */
  terminate(): Promise<void> {
    return this.#scheduler.terminate();
  }

  /** Waits for the workers to exit; call close() or terminate() first. */
  join(): Promise<void> {
    return this.#scheduler.join();
  }

  /** `await using pool = new Pool()`: terminate() at the end of the block (as Python's `with`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate();
  }

  /** The worker processes (or threads) running now. */
  get processes(): Process[] {
    return this.#scheduler.processes;
  }

  [inspectCustom](): string {
    return `<${this.constructor.name} state=${this.#scheduler.state} pool_size=${this.#processes}>`;
  }

  /** Checks a call's options and the pool's state; the function's id. No strings unless an error. */
  #functionId(fn: Target | ModuleReference, options: ApplyOptions<unknown>, method: string): number {
    if (typeof options !== 'object' || options === null) throw new TypeError(`${this.constructor.name}.${method}(): options must be an object`);
    if (options.timeout !== undefined) checkTimeout(options.timeout, `${this.constructor.name}.${method}()`);
    this.#scheduler.checkRunning(method);
    return this.#scheduler.functionId(fn, `${method}()`);
  }

  #mapAsync(fn: Target | ModuleReference, iterable: Iterable<unknown> | AsyncIterable<unknown>, options: MapAsyncOptions<unknown[]>, mode: Mode, method: string): AsyncResult<unknown[]> {
    const what = `${this.constructor.name}.${method}()`;
    const scheduler = this.#scheduler;
    scheduler.checkRunning(method);
    if (iterable === null || typeof iterable !== 'object' || !(Symbol.iterator in iterable || Symbol.asyncIterator in iterable)) {
      throw new TypeError(`${what}: expected an iterable of items, got ${iterable === null ? 'null' : typeof iterable}`);
    }
    const id = scheduler.functionId(fn, `${method}()`);
    const result = new AsyncResult<unknown[]>(options);
    const settle = (ok: boolean, value: unknown): void => result[kSettle](ok, value);
    const run = (items: unknown[]): void => {
      const chunksize = options.chunksize ?? defaultChunksize(items.length, this.#processes);
      mapList(scheduler, id, mode, items, chunksize, options, settle);
    };
    if (Symbol.iterator in iterable) run(Array.isArray(iterable) ? iterable : [...iterable]);
    else void collect(iterable).then(run, (error: unknown) => settle(false, error));
    return result;
  }

  #imap(fn: Target | ModuleReference, iterable: Iterable<unknown> | AsyncIterable<unknown>, given: number | MapOptions | undefined, ordered: boolean, method: string): AsyncGenerator<unknown, void, undefined> {
    const what = `${this.constructor.name}.${method}()`;
    const options = mapOptions(given, what);
    const scheduler = this.#scheduler;
    scheduler.checkRunning(method);
    if (iterable === null || typeof iterable !== 'object' || !(Symbol.iterator in iterable || Symbol.asyncIterator in iterable)) {
      throw new TypeError(`${what}: expected an iterable of items, got ${iterable === null ? 'null' : typeof iterable}`);
    }
    const id = scheduler.functionId(fn, `${method}()`);
    return mapLazily(scheduler, id, MAP, iterable, options.chunksize ?? 1, ordered, this.#processes * IMAP_WINDOW_PER_WORKER, options);
  }
}

/** A Pool whose workers are threads of this process (Python's multiprocessing.pool.ThreadPool). */
export class ThreadPool extends Pool {
  static override defaultContext: StartMethod | undefined = 'thread';
}
