/**
 * Maps over many items (CPython's Pool.map / imap / imap_unordered and Executor.map): items go
 * in chunks, one task per chunk. A whole list is chunked at once; imap pulls from its iterable
 * (sync or async) only as far as a window of chunks ahead of the consumer, so a huge or endless
 * generator never fills memory, and a slow consumer holds the producer back.
 */
import { ValueError } from '../errors.js';
import { CallbackTask, type Scheduler, type Task, type TaskOptions } from './scheduler.js';
import { callSafely } from './eventual.js';
import { MAP, packNumbers, type Mode } from './protocol.js';

/** How far a map has got, in items: enough to draw a progress bar. */
export interface Progress {
  /** Items whose task finished successfully. */
  readonly completed: number;
  /** Items whose task failed. */
  readonly failed: number;
  /** All items, or null while an iterable is still being read. */
  readonly total: number | null;
}

export interface MapOptions extends TaskOptions {
  /** Items per task; default: about four tasks per worker for map, 1 for imap (as Python). */
  readonly chunksize?: number;
  /** Called in this process after every finished chunk. */
  readonly onProgress?: (progress: Progress) => void;
}

export function checkChunksize(chunksize: unknown, what: string): number | undefined {
  if (chunksize === undefined || chunksize === null) return undefined;
  if (typeof chunksize !== 'number' || !Number.isInteger(chunksize) || chunksize < 1) {
    throw new ValueError(`${what}: chunksize must be a positive integer, got ${String(chunksize)}`);
  }
  return chunksize;
}

/** Python's default for map: the items split into about four chunks per worker. */
export function defaultChunksize(items: number, workers: number): number {
  return Math.max(1, Math.ceil(items / (workers * 4)));
}

class ProgressCounter {
  completed = 0;
  failed = 0;
  total: number | null;
  constructor(
    total: number | null,
    readonly report: ((progress: Progress) => void) | undefined,
  ) {
    this.total = total;
  }

  /** The iterable ran out: the total is known; said at once if every item is already done. */
  finish(total: number): void {
    this.total = total;
    if (this.completed + this.failed === total && total > 0) {
      callSafely(this.report, { completed: this.completed, failed: this.failed, total });
    }
  }

  add(items: number, ok: boolean): void {
    if (ok) this.completed += items;
    else this.failed += items;
    // A callback that throws must not break the pool's bookkeeping: its error is rethrown apart.
    callSafely(this.report, { completed: this.completed, failed: this.failed, total: this.total });
  }
}

/**
 * Runs fn over a list, all chunks at once; `done` gets the results in order, or the first
 * error (the other chunks not yet started are then taken back, as they no longer matter).
 */
export function mapList(
  scheduler: Scheduler,
  functionId: number,
  mode: Mode,
  items: unknown[],
  chunksize: number,
  options: MapOptions,
  done: (ok: boolean, value: unknown) => void,
): void {
  const progress = new ProgressCounter(items.length, options.onProgress);
  if (items.length === 0) {
    done(true, []);
    return;
  }
  const count = Math.ceil(items.length / chunksize);
  const { signal, timeout } = options;
  const results = new Array<unknown>(items.length);
  const tasks: Task[] = [];
  let left = count;
  let failed = false;
  const packed = mode === MAP ? packNumbers(items, chunksize) : null;
  for (let i = 0; i < count; i++) {
    const chunk = packed === null ? items.slice(i * chunksize, (i + 1) * chunksize) : packed.subarray(i * chunksize, (i + 1) * chunksize);
    tasks.push(
      new CallbackTask(functionId, mode, chunk, (ok, value) => {
        progress.add(chunk.length, ok);
        if (failed) return;
        if (!ok) {
          failed = true;
          signal?.removeEventListener('abort', onAbort);
          done(false, value);
          for (const task of tasks) scheduler.cancel(task, value);
          return;
        }
        const part = value as ArrayLike<unknown>; // a plain list, or the worker's packed numbers
        for (let j = 0, at = i * chunksize; j < part.length; j++) results[at + j] = part[j]; // flat() is far slower
        if (--left === 0) {
          signal?.removeEventListener('abort', onAbort);
          done(true, results);
        }
      }),
    );
  }
  // One listener for the whole map, not one per chunk.
  const onAbort = (): void => {
    for (const task of tasks) scheduler.abort(task, signal!.reason);
  };
  if (signal?.aborted) {
    done(false, signal.reason);
    return;
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  for (const task of tasks) scheduler.submit(task, { timeout });
}

/** Items of a sync or async iterable, `size` at a time (the last chunk may be shorter). */
async function* chunksOf(iterable: Iterable<unknown> | AsyncIterable<unknown>, size: number): AsyncGenerator<unknown[]> {
  let chunk: unknown[] = [];
  if (Symbol.asyncIterator in iterable) {
    for await (const item of iterable) {
      chunk.push(item);
      if (chunk.length === size) {
        yield chunk;
        chunk = [];
      }
    }
  } else {
    for (const item of iterable) {
      chunk.push(item);
      if (chunk.length === size) {
        yield chunk;
        chunk = [];
      }
    }
  }
  if (chunk.length > 0) yield chunk;
}

interface Outcome {
  readonly ok: boolean;
  readonly value: unknown;
}

/**
 * Lazily maps fn over an iterable: at most `window` chunks are read ahead of what the consumer
 * has taken. Ordered (imap) or as they finish (imapUnordered). Leaving the loop early, or an
 * error, takes back the chunks not yet started.
 */
export async function* mapLazily<R>(
  scheduler: Scheduler,
  functionId: number,
  mode: Mode,
  iterable: Iterable<unknown> | AsyncIterable<unknown>,
  chunksize: number,
  ordered: boolean,
  window: number,
  options: MapOptions,
): AsyncGenerator<R, void, undefined> {
  const progress = new ProgressCounter(null, options.onProgress);
  const source = chunksOf(iterable, chunksize);
  const outcomes = new Map<number, Outcome>();
  const tasks = new Map<number, Task>();
  let submitted = 0;
  let taken = 0;
  let read = 0;
  let exhausted = false;
  let wake: (() => void) | null = null;
  const { signal, timeout } = options;
  const onAbort = (): void => {
    for (const task of tasks.values()) scheduler.abort(task, signal!.reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      signal?.throwIfAborted();
      while (!exhausted && submitted - taken < window) {
        const next = await source.next();
        if (next.done === true) {
          exhausted = true;
          progress.finish(read);
          break;
        }
        const chunk = next.value;
        read += chunk.length;
        const index = submitted++;
        const task = new CallbackTask(functionId, mode, chunk, (ok, value) => {
          tasks.delete(index);
          progress.add(chunk.length, ok);
          outcomes.set(index, { ok, value });
          wake?.();
        });
        tasks.set(index, task);
        scheduler.submit(task, { timeout });
      }
      if (exhausted && taken === submitted) return;
      let outcome: Outcome | undefined;
      for (;;) {
        if (ordered) outcome = outcomes.get(taken);
        else outcome = outcomes.values().next().value;
        if (outcome !== undefined) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
      for (const [index, value] of outcomes) {
        if (value === outcome) {
          outcomes.delete(index);
          break;
        }
      }
      taken++;
      if (!outcome.ok) throw outcome.value;
      yield* outcome.value as R[];
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    const reason = new Error('imap was left before this chunk ran');
    for (const task of tasks.values()) scheduler.cancel(task, reason);
    await source.return(undefined);
  }
}
