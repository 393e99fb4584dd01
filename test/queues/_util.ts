// Helpers for the queue tests. Children are started (and always cleaned up) with the helpers of
// test/synchronize/_util.ts.
import { readdirSync, statSync } from 'node:fs';
import type { Queue, SimpleQueue } from 'multiprocessing-ts';

export { METHODS, joinAll, start, startChildren } from '../synchronize/_util.ts';

/** The longest the tests wait for one item. */
export const LONG = 20_000;

/** An assert.throws/rejects validator: an instance of `cls`, with that `code` if given. */
export function isError(cls: abstract new (...args: never[]) => Error, code?: string): (e: unknown) => boolean {
  return (e: unknown) => e instanceof cls && (code === undefined || (e as { code?: unknown }).code === code);
}

/** Takes `n` items with the Promise form, each within `timeout` ms. */
export async function drain<T>(q: Queue<T> | SimpleQueue<T>, n: number, timeout = LONG): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await q.get({ timeout }));
  return out;
}

/** Runs `fn` and returns how long it took to settle (ms) and whether/with what it threw. */
export async function timed(fn: () => unknown): Promise<{ ms: number; error: unknown; value: unknown }> {
  const t0 = performance.now();
  try {
    const value = await fn();
    return { ms: performance.now() - t0, error: undefined, value };
  } catch (error) {
    return { ms: performance.now() - t0, error, value: undefined };
  }
}

/** Overflow segments of queues (`mpts-q-…`) in /dev/shm now: name → bytes. */
export function queueSegments(): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of readdirSync('/dev/shm')) {
    if (!name.startsWith('mpts-q-')) continue;
    try {
      out.set(name, statSync(`/dev/shm/${name}`).size);
    } catch {
      // unlinked meanwhile
    }
  }
  return out;
}

/** Asserts that a timed wait gave up after roughly `timeout` ms (not early, not much later). */
export function roughly(ms: number, timeout: number, what: string): void {
  if (ms < timeout - 5 || ms > timeout + 2000) throw new Error(`${what}: gave up after ${ms.toFixed(1)} ms, expected about ${timeout} ms`);
}
