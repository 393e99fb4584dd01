// Helpers for the Pool tests (pool.test.ts, pool-lifecycle.test.ts, seeds*.test.ts): pools that
// are always terminated, bounded waits, and the library bugs these tests found.
import assert from 'node:assert/strict';
import { threadId } from 'node:worker_threads';
import { Pool, type PoolOptions, type StartMethod } from 'multiprocessing-ts';
import type { Where } from '../fixtures/pool-targets.ts';

export { LONG, METHODS, isError } from '../queues/_util.ts';
import { LONG } from '../queues/_util.ts';

export const FIXTURE = new URL('../fixtures/pool-targets.ts', import.meta.url).href;
export const PREFIX: Record<string, string> = { spawn: 'SpawnPoolWorker', thread: 'ThreadPoolWorker', forkserver: 'ForkServerPoolWorker' };


export interface AfterContext {
  after(fn: () => unknown): void;
}

/** A pool on `method` (two workers unless given), terminated after the test. */
export function makePool(t: AfterContext, method: StartMethod, options: object = {}): Pool {
  const pool = new Pool({ processes: 2, context: method, ...options } as PoolOptions);
  t.after(() => pool.terminate());
  return pool;
}

/** `promise`, or a rejection if it has not settled within `ms`: no wait here is unbounded. */
export function bounded<T>(promise: PromiseLike<T>, what: string, ms = LONG): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
  });
  return Promise.race([Promise.resolve(promise), expired]).finally(() => clearTimeout(timer));
}

/** Collects an async iterable, bounded. */
export function collect<T>(iterable: AsyncIterable<T>, what = 'the iteration', ms = LONG): Promise<T[]> {
  return bounded(
    (async () => {
      const out: T[] = [];
      for await (const item of iterable) out.push(item);
      return out;
    })(),
    what,
    ms,
  );
}

/** range(n) = 0..n-1; range(a, b) = a..b-1 (Python's). */
export function range(from: number, to?: number): number[] {
  return to === undefined ? Array.from({ length: from }, (_, i) => i) : Array.from({ length: to - from }, (_, i) => from + i);
}

/** Checks that `where` is a pool worker of `method` (one of `names`), not this process/thread. */
export function assertWorker(where: Where, method: StartMethod, names: string[]): void {
  assert.match(where.name, new RegExp(`^${PREFIX[method]}-\\d+$`));
  assert.ok(names.includes(where.name), `${where.name} is one of ${names.join(', ')}`);
  if (method === 'spawn') assert.notEqual(where.pid, process.pid, 'a spawn worker is another process');
  else {
    assert.equal(where.pid, process.pid, 'a thread worker is in this process');
    assert.notEqual(where.threadId, threadId, 'a thread worker is another thread');
  }
}
