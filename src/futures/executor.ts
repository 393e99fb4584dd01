/**
 * ProcessPoolExecutor and ThreadPoolExecutor (Python's concurrent.futures), over the same
 * scheduler as Pool (pool/scheduler.ts).
 *
 * Unlike Python's, a worker that dies fails only the call it was running (BrokenProcessPool,
 * as Python names it); the executor replaces the worker and every other call goes on. A
 * failing initializer breaks the executor, as in Python.
 */
import { BrokenProcessPool, BrokenThreadPool, TimeoutError, ValueError, type WorkerDetails } from '../errors.js';
import type { Context } from '../context.js';
import type { ResourceLimits } from '../popen/popen.js';
import type { Process, Target } from '../process.js';
import type { ModuleReference } from '../reference.js';
import type { StartMethod } from '../start-methods.js';
import { checkTimeout, inspectCustom } from '../util.js';
import { checkChunksize, mapLazily } from '../pool/map.js';
import { contextOf } from '../context.js';
import { checkWorkers, initializerOf, type ResultOf } from '../pool/pool.js';
import { CALL, STARMAP } from '../pool/protocol.js';
import { Scheduler, Task } from '../pool/scheduler.js';
import { Future, kBind, kQuiet, kSettle } from './future.js';

/** A submit() call: its outcome settles the Future. */
class SubmitTask extends Task {
  constructor(
    functionId: number,
    args: unknown[],
    readonly future: Future<unknown>,
    readonly unfinished: Set<Future<unknown>>,
  ) {
    super(functionId, CALL, args);
  }

  override quiet(): boolean {
    return this.future[kQuiet]();
  }

  onOutcome(ok: boolean, value: unknown): void {
    this.unfinished.delete(this.future);
    this.future[kSettle](ok, value);
  }
}

export interface ExecutorOptions {
  /** Number of workers; default: cpuCount(). */
  readonly maxWorkers?: number;
  /** Run in every worker as it starts. */
  readonly initializer?: Target | ModuleReference;
  /** Arguments for the initializer. */
  readonly initargs?: unknown[];
  /** Replace a worker after it has run this many calls. */
  readonly maxTasksPerChild?: number | null;
  /** How workers start: a context or a start method name (ThreadPoolExecutor: 'thread'). */
  readonly context?: Context | StartMethod;
  /** Each worker's heap and stack limits: a call that runs out of memory loses its worker only. */
  readonly resourceLimits?: ResourceLimits;
}

export interface ExecutorMapOptions {
  /** Milliseconds from the map() call by which every result must be there, else TimeoutError. */
  readonly timeout?: number;
  /** Items per task (default 1, as Python). */
  readonly chunksize?: number;
}

export interface ShutdownOptions {
  /** Wait for running and pending calls and for the workers to exit (default true). */
  readonly wait?: boolean;
  /** Cancel the calls that have not started (default false). */
  readonly cancelFutures?: boolean;
}

type IterablesOf<T extends unknown[]> = { [K in keyof T]: Iterable<T[K]> | AsyncIterable<T[K]> };

const MAP_WINDOW_PER_WORKER = 64;

/** zip() over sync and async iterables: stops at the shortest. */
async function* zip(iterables: (Iterable<unknown> | AsyncIterable<unknown>)[]): AsyncGenerator<unknown[]> {
  const iterators = iterables.map((it) =>
    Symbol.asyncIterator in it ? (it as AsyncIterable<unknown>)[Symbol.asyncIterator]() : (it as Iterable<unknown>)[Symbol.iterator](),
  );
  try {
    for (;;) {
      const row: unknown[] = [];
      for (const iterator of iterators) {
        const next = await iterator.next();
        if (next.done === true) return;
        row.push(next.value);
      }
      yield row;
    }
  } finally {
    await Promise.all(iterators.map((iterator) => iterator.return?.()));
  }
}

function isIterable(value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && (Symbol.iterator in value || Symbol.asyncIterator in value);
}

export class ProcessPoolExecutor implements AsyncDisposable {
  readonly #scheduler: Scheduler;
  readonly #workers: number;
  readonly #unfinished = new Set<Future<unknown>>();
  #shutdown = false;

  /** The context a subclass uses when none is given (ThreadPoolExecutor: 'thread'). */
  static defaultContext: StartMethod | undefined = undefined;

  constructor(options: ExecutorOptions | number = {}) {
    const given: ExecutorOptions = typeof options === 'number' ? { maxWorkers: options } : options;
    if (typeof given !== 'object' || given === null) throw new TypeError('ProcessPoolExecutor: options must be a number of workers or an object');
    const what = new.target.name;
    const context = contextOf(given.context ?? new.target.defaultContext, what);
    const workers = checkWorkers(given.maxWorkers, what, 'maxWorkers') ?? context.cpuCount();
    if (given.initargs !== undefined && !Array.isArray(given.initargs)) throw new TypeError(`${what}: initargs must be an array`);
    const threads = context.getStartMethod() === 'thread';
    const Broken = threads ? BrokenThreadPool : BrokenProcessPool;
    const make = (message: string, details: WorkerDetails, cause?: unknown): Error =>
      new Broken(message, details, cause === undefined ? undefined : { cause });
    this.#workers = workers;
    this.#scheduler = new Scheduler({
      what,
      processes: workers,
      ProcessClass: context.Process as unknown as new (options: object) => Process,
      namePrefix: threads ? 'ThreadPoolExecutor' : 'ProcessPoolExecutor',
      initializer: initializerOf(given.initializer, what),
      initargs: given.initargs ?? [],
      maxTasksPerWorker: checkWorkers(given.maxTasksPerChild, what, 'maxTasksPerChild') ?? null,
      resourceLimits: given.resourceLimits,
      lostError: make,
      brokenError: make,
    });
  }

  #checkOpen(method: string): void {
    if (this.#shutdown) {
      throw new ValueError(`${this.constructor.name}.${method}: cannot schedule new futures after shutdown`, 'ERR_EXECUTOR_SHUTDOWN');
    }
    this.#scheduler.checkRunning(method);
  }

  /** Schedules fn(...args) in a worker: the Future gives its result. */
  submit<F extends Target>(fn: F, ...args: Parameters<F>): Future<ResultOf<F>>;
  submit(fn: ModuleReference, ...args: unknown[]): Future<unknown>;
  submit(fn: Target | ModuleReference, ...args: unknown[]): Future<unknown> {
    this.#checkOpen('submit()');
    const scheduler = this.#scheduler;
    const id = scheduler.functionId(fn, 'submit()');
    const future = new Future<unknown>();
    this.#unfinished.add(future);
    const task = new SubmitTask(id, args, future, this.#unfinished);
    future[kBind](scheduler, task);
    scheduler.submit(task);
    return future;
  }

  /**
   * fn applied to the items of the iterables taken together (zip), results in order, as
   * Python's Executor.map. The iterables are read lazily; options may come last.
   */
  map<F extends Target>(fn: F, ...iterables: [...IterablesOf<Parameters<F>>] | [...IterablesOf<Parameters<F>>, ExecutorMapOptions]): AsyncGenerator<ResultOf<F>, void, undefined>;
  map(fn: ModuleReference, ...iterables: (Iterable<unknown> | AsyncIterable<unknown> | ExecutorMapOptions)[]): AsyncGenerator<unknown, void, undefined>;
  map(fn: Target | ModuleReference, ...rest: unknown[]): AsyncGenerator<unknown, void, undefined> {
    const what = `${this.constructor.name}.map()`;
    this.#checkOpen('map()');
    const last = rest[rest.length - 1];
    const options: ExecutorMapOptions = rest.length > 0 && !isIterable(last) ? (rest.pop() as ExecutorMapOptions) : {};
    if (typeof options !== 'object' || options === null) throw new TypeError(`${what}: options must be an object like { timeout, chunksize }`);
    const timeout = checkTimeout(options.timeout, what);
    const chunksize = checkChunksize(options.chunksize, what) ?? 1;
    if (rest.length === 0) throw new TypeError(`${what}: expected at least one iterable`);
    for (const iterable of rest) if (!isIterable(iterable)) throw new TypeError(`${what}: expected iterables, got ${typeof iterable}`);
    const scheduler = this.#scheduler;
    const id = scheduler.functionId(fn, 'map()');
    let signal: AbortSignal | undefined;
    if (timeout !== undefined) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new TimeoutError(`${what}: not every result was ready within ${timeout} ms`)), timeout).unref();
      signal = controller.signal;
    }
    const rows = zip(rest as (Iterable<unknown> | AsyncIterable<unknown>)[]);
    return mapLazily(scheduler, id, STARMAP, rows, chunksize, true, this.#workers * MAP_WINDOW_PER_WORKER, { signal });
  }

  /**
   * No new calls; with `cancelFutures` the calls not started are cancelled; with `wait`
   * (default) resolves once the others have finished and the workers have exited.
   */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    const { wait = true, cancelFutures = false } = options;
    this.#shutdown = true;
    if (cancelFutures) for (const future of [...this.#unfinished]) future.cancel();
    this.#scheduler.close();
    if (wait) await this.#scheduler.join();
  }

  /** `await using executor = …`: shutdown({ wait: true }) at the end of the block (Python's `with`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown({ wait: true });
  }

  [inspectCustom](): string {
    return `<${this.constructor.name} max_workers=${this.#workers}${this.#shutdown ? ' shutdown' : ''}>`;
  }
}

/** The same with worker threads of this process (Python's ThreadPoolExecutor). */
export class ThreadPoolExecutor extends ProcessPoolExecutor {
  static override defaultContext: StartMethod | undefined = 'thread';
}
