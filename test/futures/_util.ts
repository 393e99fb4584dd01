// Helpers for the executor tests (test/futures) and the crash / W4 / chaos pool tests: bounded
// waits, collecting async iterables, and executors that are always shut down after a test.
import assert from 'node:assert/strict';
import {
  activeChildren,
  BrokenProcessPool,
  BrokenThreadPool,
  Event,
  Pool,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  type ExecutorOptions,
  type Future,
  type StartMethod,
} from 'multiprocessing-ts';
import { waitFor } from '../helpers.ts';

export { METHODS, isError } from '../queues/_util.ts';

/** The longest a test waits for anything. */
export const LONG = 20_000;


/** `promise`, or a rejection if it has not settled within `ms`: no wait here is unbounded. */
export function bounded<T>(promise: PromiseLike<T>, what: string, ms = LONG): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
  });
  return Promise.race([Promise.resolve(promise), expired]).finally(() => clearTimeout(timer));
}

/** Collects an async iterable (bounded). */
export function collect<T>(iterable: AsyncIterable<T>, what = 'the iteration', ms = LONG): Promise<T[]> {
  const run = async (): Promise<T[]> => {
    const out: T[] = [];
    for await (const item of iterable) out.push(item);
    return out;
  };
  return bounded(run(), what, ms);
}

/** Collects until the iteration throws (bounded): what came before, and the error. */
export async function collectUntilError<T>(iterable: AsyncIterable<T>, ms = LONG): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    await bounded(
      (async () => {
        for await (const item of iterable) items.push(item);
      })(),
      'the iteration',
      ms,
    );
  } catch (error) {
    return { items, error };
  }
  return { items, error: undefined };
}

export interface TestContext {
  after(fn: () => void | Promise<void>): void;
}

/** What a lost call of each method's executor fails with. */
export const EXECUTOR_ERROR = { spawn: BrokenProcessPool, thread: BrokenThreadPool, forkserver: BrokenProcessPool } as const;

/** The executor class the tests use for a method: ThreadPoolExecutor for 'thread'. */
export function executorName(method: StartMethod): string {
  return method === 'thread' ? 'ThreadPoolExecutor' : `ProcessPoolExecutor({ context: '${method}' })`;
}

export function makeExecutor(method: StartMethod, options: Omit<ExecutorOptions, 'context'> = {}): ProcessPoolExecutor {
  return method === 'thread' ? new ThreadPoolExecutor(options) : new ProcessPoolExecutor({ ...options, context: method });
}

/**
 * An executor for `method` and a maker of gates: Events that hold calls back. After the test
 * every gate is set, then the executor is shut down (bounded by `cleanupMs`).
 */
export function setup(
  t: TestContext,
  method: StartMethod,
  options: Omit<ExecutorOptions, 'context'> = {},
  cleanupMs = 10_000,
): { ex: ProcessPoolExecutor; gate: () => Event } {
  const ex = makeExecutor(method, options);
  const gates: Event[] = [];
  t.after(async () => {
    for (const g of gates) g.set();
    const shutdown = ex.shutdown({ wait: true, cancelFutures: true });
    try {
      await bounded(shutdown, 'shutdown after the test', cleanupMs);
    } catch (error) {
      // A shutdown that hangs (a bug) would keep this file's process alive for ever: stop the
      // workers (the only children while a test runs), let it finish, and still fail.
      for (const child of activeChildren()) child.kill();
      await bounded(shutdown, 'shutdown after killing the workers').catch(() => {});
      throw error;
    }
  });
  return {
    ex,
    gate() {
      const g = new Event();
      gates.push(g);
      return g;
    },
  };
}

/** Waits (bounded) until the future's call has started in a worker. */
export async function started(future: Future<unknown>, what: string): Promise<void> {
  assert.ok(await waitFor(() => future.running() || future.done(), LONG), `${what} never started`);
  assert.equal(future.running(), true, `${what} is running (it finished instead?)`);
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** A Pool for one test, terminated after it. */
export function makePool(t: TestContext, method: StartMethod, processes: number): Pool {
  const pool = new Pool({ processes, context: method });
  t.after(() => bounded(pool.terminate(), 'terminate after the test'));
  return pool;
}

/** The rejection of `promise` (bounded); fails if it resolves. */
export async function rejection(promise: PromiseLike<unknown>, what: string): Promise<unknown> {
  const settled = await bounded(
    Promise.resolve(promise).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    what,
  );
  assert.equal(settled.ok, false, `${what} resolved with ${JSON.stringify((settled as { value?: unknown }).value)}`);
  return (settled as { error: unknown }).error;
}
