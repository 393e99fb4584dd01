/** asCompleted() and wait() over Futures (Python's concurrent.futures.as_completed and wait). */
import { TimeoutError } from '../errors.js';
import { checkTimeout } from '../util.js';
import { Future, kFailed } from './future.js';

export const FIRST_COMPLETED = 'FIRST_COMPLETED';
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
export const ALL_COMPLETED = 'ALL_COMPLETED';
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

export interface AsCompletedOptions {
  /** Milliseconds from the call: a TimeoutError if some future is still not done by then. */
  readonly timeout?: number;
}

export interface WaitFuturesOptions extends AsCompletedOptions {
  /** When to return (default ALL_COMPLETED). */
  readonly returnWhen?: ReturnWhen;
}

export interface DoneAndNotDone<T> {
  readonly done: Set<Future<T>>;
  readonly notDone: Set<Future<T>>;
}

function checkFutures<T>(futures: Iterable<Future<T>>, what: string): Set<Future<T>> {
  const set = new Set<Future<T>>();
  for (const future of futures) {
    if (!(future instanceof Future)) throw new TypeError(`${what}: expected Futures (from an executor's submit())`);
    set.add(future);
  }
  return set;
}

/** Yields each future as it finishes (those already done first). */
export function asCompleted<T>(futures: Iterable<Future<T>>, options: AsCompletedOptions = {}): AsyncIterableIterator<Future<T>> {
  const timeout = checkTimeout(options.timeout, 'asCompleted()');
  const pending = checkFutures(futures, 'asCompleted()');
  const total = pending.size;
  const deadline = timeout === undefined ? Infinity : performance.now() + timeout;
  const finished: Future<T>[] = [];
  let wake: (() => void) | null = null;
  for (const future of pending) {
    future.addDoneCallback(() => {
      finished.push(future);
      wake?.();
    });
  }
  const next = async (): Promise<IteratorResult<Future<T>, undefined>> => {
    while (finished.length === 0) {
      if (pending.size === 0) return { done: true, value: undefined };
      const left = deadline - performance.now();
      if (left <= 0) throw new TimeoutError(`asCompleted(): ${pending.size} of ${total} futures unfinished after ${timeout} ms`);
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (left !== Infinity) timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
      wake = null;
    }
    const future = finished.shift()!;
    pending.delete(future);
    return { done: false, value: future };
  };
  return {
    next,
    async return() {
      pending.clear();
      finished.length = 0;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Waits until some or all futures are done, as returnWhen says, or the timeout passes. */
export async function wait<T>(futures: Iterable<Future<T>>, options: WaitFuturesOptions = {}): Promise<DoneAndNotDone<T>> {
  const { returnWhen = ALL_COMPLETED } = options;
  const timeout = checkTimeout(options.timeout, 'wait()');
  if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) {
    throw new TypeError(`wait(): returnWhen must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, got ${String(returnWhen)}`);
  }
  const all = checkFutures(futures, 'wait()');
  const done = new Set<Future<T>>();
  const satisfied = (): boolean => {
    if (done.size === all.size) return true;
    if (returnWhen === FIRST_COMPLETED) return done.size > 0;
    if (returnWhen === FIRST_EXCEPTION) for (const future of done) if (future[kFailed]()) return true;
    return false;
  };
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const check = (): void => {
      if (!satisfied()) return;
      clearTimeout(timer);
      resolve();
    };
    if (timeout !== undefined) timer = setTimeout(resolve, timeout);
    for (const future of all) {
      future.addDoneCallback(() => {
        done.add(future);
        check();
      });
    }
    check();
  });
  const notDone = new Set([...all].filter((future) => !done.has(future)));
  return { done: new Set([...all].filter((future) => done.has(future))), notDone };
}
