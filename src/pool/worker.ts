/**
 * A pool worker's life (CPython's pool.worker): run the initializer, then take tasks from its
 * own channel one at a time, run them and put each result on the pool's result channel, until
 * told to stop. It runs as the target of an ordinary Process, so every start method works.
 *
 * Tasks are taken without leaving JavaScript while they keep coming; when none is there the
 * worker waits off the event loop (runAsync), so timers and I/O of async tasks, and of
 * anything the initializer started, keep running.
 */
import { isMainThread, parentPort } from 'node:worker_threads';
import { runAsync, runSync } from '../futex.js';
import { importFunction } from '../spawn/target.js';
import { BULK_NUMBERS, encodeNumbers } from '../message.js';
import { errorState } from '../error-state.js';
import { movedBuffer } from './move.js';
import { BASE, CALL, DEFINE, FAILED, FATAL, INIT_FAILED, MAP, OK, PORTED, argsOf, encodeResult, isPorted, portedMessage, portedValues, type DefineRecord, type Mode, type PortedMessage, type TaskArgs, type TaskRecord, type WorkerConfig } from './protocol.js';

type Callable = (...args: unknown[]) => unknown;

/** A busy worker still lets its event loop run this often (a thread's console output goes through it). */
const YIELD_EVERY_MS = 20;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** Whether any is a thenable: primitives (most map results) are passed over without a lookup. */
function anyThenable(values: unknown[]): boolean {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value !== null && (typeof value === 'object' || typeof value === 'function') && isThenable(value)) return true;
  }
  return false;
}

/** One task's work: a call, or a chunk of a map (whose results may be promises to wait for). */
function run(fn: Callable, mode: Mode, args: TaskArgs): unknown {
  if (mode === CALL) return fn(...args);
  if (mode === MAP) return args.length >= BULK_NUMBERS ? mapPacking(fn, args) : mapPlain(fn, args, 0, new Array<unknown>(args.length));
  // Plain loops: once compiled, twice as fast as map() with a closure here.
  const values = new Array<unknown>(args.length);
  for (let i = 0; i < args.length; i++) values[i] = fn(...((args as unknown[])[i] as unknown[]));
  return anyThenable(values) ? Promise.all(values) : values;
}

function mapPlain(fn: Callable, args: ArrayLike<unknown>, from: number, values: unknown[]): unknown {
  for (let i = from; i < args.length; i++) values[i] = fn(args[i]);
  return anyThenable(values) ? Promise.all(values) : values;
}

/**
 * A long chunk's results written as float64s while they are numbers (most maps'), so they go
 * back as one block (a Packed result); at the first other value, a plain list from there on.
 */
function mapPacking(fn: Callable, args: ArrayLike<unknown>): unknown {
  const packed = new Float64Array(args.length);
  for (let i = 0; i < args.length; i++) {
    const value = fn(args[i]);
    if (typeof value !== 'number') {
      const values = Array.from(packed.subarray(0, i)) as unknown[];
      values.length = args.length;
      values[i] = value;
      return mapPlain(fn, args, i + 1, values);
    }
    packed[i] = value;
  }
  return new Packed(packed);
}

/** A chunk's results as float64s: tells encodeResult that the Float64Array is the worker's, not a user's. */
class Packed {
  constructor(readonly values: Float64Array) {}
}

/**
 * A thread worker's message port: arguments the pool moved here (its `transfer` option) come
 * this way, by task slot, while the task's record comes through the channel.
 */
class PortedArgs {
  readonly #port = isMainThread ? null : parentPort;
  readonly #arrived = new Map<number, PortedMessage>();
  readonly #waiting = new Map<number, [generation: number, (message: PortedMessage) => void]>();
  /** Tasks skipped (taken back by the pool) whose arguments have not come yet: dropped on arrival. */
  readonly #skipped = new Map<number, number>();

  constructor() {
    this.#port?.on('message', (message: unknown) => {
      if (!isPorted(message)) return;
      const { slot, generation } = message;
      if (this.#skipped.get(slot) === generation) {
        this.#skipped.delete(slot);
        return;
      }
      const waiter = this.#waiting.get(slot);
      if (waiter !== undefined && waiter[0] === generation) {
        this.#waiting.delete(slot);
        waiter[1](message);
      } else this.#arrived.set(slot, message);
    });
    this.#port?.unref(); // only a task waiting for its arguments keeps the worker alive for them
  }

  /** Whether values can be moved to the pool (a thread worker). */
  get available(): boolean {
    return this.#port !== null;
  }

  async take(slot: number, generation: number): Promise<unknown[]> {
    const ready = this.#arrived.get(slot);
    if (ready !== undefined && ready.generation === generation) {
      this.#arrived.delete(slot);
      return portedValues(ready);
    }
    this.#port!.ref();
    try {
      const message = await new Promise<PortedMessage>((resolve) => this.#waiting.set(slot, [generation, resolve]));
      return portedValues(message);
    } finally {
      this.#port!.unref();
    }
  }

  skip(slot: number, generation: number): void {
    const ready = this.#arrived.get(slot);
    if (ready !== undefined && ready.generation === generation) this.#arrived.delete(slot);
    else this.#skipped.set(slot, generation);
  }

  /** Moves a result to the pool. */
  post(slot: number, generation: number, value: unknown, buffer: ArrayBuffer): void {
    this.#port!.postMessage(portedMessage(slot, generation, [value]), [buffer]);
  }
}

export async function poolWorker(config: WorkerConfig): Promise<void> {
  const { tasks, results, table } = config;
  const ported = new PortedArgs();

  const put = (slot: number, generation: number, status: number, micros: number, value: unknown): void => {
    let message;
    try {
      const buffer = status === OK && ported.available ? movedBuffer(value) : null;
      if (buffer !== null) {
        ported.post(slot, generation, value, buffer); // before the record: the pool waits for both
        message = encodeNumbers([slot, generation, OK + PORTED, micros]);
      } else if (value instanceof Packed) message = encodeResult(slot, generation, status, micros, value.values, true);
      else message = encodeResult(slot, generation, status, micros, value);
    } catch (error) {
      // A result that cannot cross (a function, a socket…) fails its task, not the worker.
      message = encodeResult(slot, generation, FAILED, micros, errorState(error));
    }
    // Only another worker in the middle of a put holds the lock longer than tryPut retries it.
    if (!results.tryPut(message, false)) runSync(results.putSteps(message, false, Infinity));
  };

  process.on('uncaughtException', (error) => put(-1, config.id, FATAL, 0, errorState(error)));

  if (config.initializer !== null) {
    try {
      const initializer = await importFunction(config.initializer, 'Pool initializer');
      const outcome = initializer(...config.initargs);
      if (isThenable(outcome)) await outcome;
    } catch (error) {
      put(-1, config.id, INIT_FAILED, 0, errorState(error));
      process.exitCode = 1;
      return;
    }
  }

  const functions: Callable[] = [];
  let lastYield = performance.now();
  for (;;) {
    if (!tasks.tryReceive()) {
      if (!(await runAsync(tasks.receiveSteps(Infinity)))) continue;
      lastYield = performance.now();
    }
    const message = tasks.takeValue() as TaskRecord | DefineRecord | number;
    if (typeof message === 'number') return; // STOP
    if (message[0] === DEFINE) {
      const [, functionId, reference] = message as DefineRecord;
      try {
        functions[functionId] = await importFunction(reference, 'Pool task function');
      } catch (error) {
        functions[functionId] = () => {
          throw error; // every task of this function fails the same way
        };
      }
      continue;
    }
    const record = message as TaskRecord;
    const slot = record[0];
    const generation = record[1];
    const functionId = record[2];
    // Claimed before its arguments are rebuilt: a socket among them is taken only by the
    // worker that runs the task, not by one the pool took it back from.
    const viaPort = (record[3] & PORTED) !== 0;
    if (!table.start(slot, generation)) {
      if (viaPort) ported.skip(slot, generation);
      continue;
    }
    let args: TaskArgs;
    try {
      const rebuilt = viaPort ? ported.take(slot, generation) : argsOf(record);
      args = isThenable(rebuilt) ? await rebuilt : rebuilt; // library objects, whose modules load first
    } catch (error) {
      put(slot, generation, FAILED, 0, errorState(error));
      continue;
    }
    const started = performance.now();
    try {
      let value = run(functions[functionId], (record[3] & BASE) as Mode, args);
      if (isThenable(value)) value = await value;
      put(slot, generation, OK, Math.round((performance.now() - started) * 1000), value);
    } catch (error) {
      put(slot, generation, FAILED, Math.round((performance.now() - started) * 1000), errorState(error));
    }
    const now = performance.now();
    if (now - lastYield > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
  }
}
