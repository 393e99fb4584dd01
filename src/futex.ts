/**
 * Waiting on words of shared memory, across processes and threads.
 *
 * Every blocking algorithm (lock, semaphore, event, condition, barrier) is written once, as a
 * generator of futex waits (`Steps`), and run by one of two drivers: `runSync` blocks the
 * calling thread in the kernel (the `…Sync` methods, for workers and scripts), `runAsync` waits
 * on the addon's waiter threads and never blocks the event loop (the Promise methods). An
 * aborted async run is closed with `return()`, so the algorithm's `finally` blocks undo its
 * bookkeeping.
 */
import { isMainThread } from 'node:worker_threads';
import { native, type NativeBinding } from './native.js';
import { UnsupportedPlatformError } from './errors.js';

/** How a wait ended: woken (possibly spuriously), the word had changed, or time ran out. */
export type WaitOutcome = 'woken' | 'changed' | 'timed-out';
const outcomes: readonly WaitOutcome[] = ['woken', 'changed', 'timed-out'];

/** Sleep while `words[index] === expected`, at most `timeout` ms (Infinity: no limit). */
export interface FutexWait {
  readonly words: Int32Array;
  readonly index: number;
  readonly expected: number;
  readonly timeout: number;
}

export type Steps<T> = Generator<FutexWait, T, WaitOutcome>;

let checked: NativeBinding | null = null;

/** The addon, or an error naming the platform: shared memory and futexes need Linux. */
export function futexBinding(what: string): NativeBinding {
  if (checked !== null) return checked;
  if (process.platform !== 'linux') {
    throw new UnsupportedPlatformError(
      `${what} needs Linux (shared memory with futexes); this platform is ${process.platform}-${process.arch}`,
    );
  }
  checked = native();
  return checked;
}

/** Beyond this (about 31 years) a timeout means none: the kernel's deadline would overflow. */
const FOREVER_MS = 1e12;

function nativeTimeout(timeout: number): number {
  return timeout > FOREVER_MS ? Infinity : timeout;
}

function byteOffset(wait: FutexWait): number {
  return wait.words.byteOffset + wait.index * 4;
}

export function wake(words: Int32Array, index: number, count = 1): number {
  return checked!.futexWake(words.buffer as SharedArrayBuffer, words.byteOffset + index * 4, count);
}

export const wakeAll = Number.MAX_SAFE_INTEGER;

/**
 * A worker blocked in the kernel cannot be terminated (V8 stops JavaScript, not syscalls), so
 * workers sleep in slices and come back to JavaScript, where a terminate() takes effect.
 */
const WORKER_SLICE_MS = 100;

/** Runs the steps blocking this thread at each wait. */
export function runSync<T>(steps: Steps<T>): T {
  let next = steps.next();
  while (next.done !== true) next = steps.next(waitSync(next.value));
  return next.value;
}

function waitSync(wait: FutexWait): WaitOutcome {
  const buffer = wait.words.buffer as SharedArrayBuffer;
  const offset = byteOffset(wait);
  if (isMainThread) return outcomes[checked!.futexWait(buffer, offset, wait.expected, nativeTimeout(wait.timeout))];
  const deadline = deadlineAfter(wait.timeout);
  for (;;) {
    const slice = Math.min(remaining(deadline), WORKER_SLICE_MS);
    const outcome = outcomes[checked!.futexWait(buffer, offset, wait.expected, slice)];
    // Back in JavaScript between slices, a pending terminate() takes effect.
    if (outcome !== 'timed-out' || remaining(deadline) === 0) return outcome;
  }
}

/**
 * Runs the steps with every wait on a waiter thread; the event loop stays free. An abort
 * cancels the current wait and throws the signal's reason into the steps, so they can restore
 * what they must (a condition re-acquires its lock) before the promise rejects.
 */
export function runAsync<T>(steps: Steps<T>, signal?: AbortSignal): Promise<T> {
  const binding = checked!;
  return new Promise<T>((resolve, reject) => {
    let pending = 0;
    const advance = (resume: () => IteratorResult<FutexWait, T>): void => {
      pending = 0;
      let next: IteratorResult<FutexWait, T>;
      try {
        next = resume();
      } catch (error) {
        signal?.removeEventListener('abort', onAbort);
        reject(error);
        return;
      }
      if (next.done === true) {
        signal?.removeEventListener('abort', onAbort);
        resolve(next.value);
        return;
      }
      const wait = next.value;
      pending = binding.futexWaitAsync(
        wait.words.buffer as SharedArrayBuffer,
        byteOffset(wait),
        wait.expected,
        nativeTimeout(wait.timeout),
        (result) => advance(() => steps.next(outcomes[result])),
      );
    };
    const onAbort = (): void => {
      if (pending === 0) return;
      binding.futexCancel(pending);
      advance(() => steps.throw(signal!.reason));
    };
    if (signal !== undefined) {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
    }
    advance(() => steps.next());
  });
}

/** A deadline `timeout` ms from now (Infinity for none), for steps that wait more than once. */
export function deadlineAfter(timeout: number | undefined): number {
  return timeout === undefined ? Infinity : performance.now() + timeout;
}

export function remaining(deadline: number): number {
  return deadline === Infinity ? Infinity : Math.max(0, deadline - performance.now());
}
