// Helpers for the synchronisation tests: start children and always clean them up.
import assert from 'node:assert/strict';
import { getContext, RawArray, SharedArray, type Process, type StartMethod } from 'multiprocessing-ts';
import { waitFor } from '../helpers.ts';
import type { Counters } from '../fixtures/sync-targets.ts';

export const METHODS = ['spawn', 'thread'] as const satisfies readonly StartMethod[];

export interface TestContext {
  after(fn: () => void | Promise<void>): void;
}

/** Starts one child per [target, args]; after the test, any still running is killed and joined. */
export function startChildren(
  t: TestContext,
  method: StartMethod,
  specs: ReadonlyArray<readonly [target: (...args: never[]) => unknown, args: unknown[]]>,
): Process[] {
  const { Process: ContextProcess } = getContext(method);
  const children = specs.map(([target, args]) => new ContextProcess({ target: target as (...args: unknown[]) => unknown, args }));
  t.after(async () => {
    for (const child of children) {
      if (child.pid !== null && child.exitcode === null) child.kill();
    }
    await Promise.all(children.map((child) => (child.pid === null ? null : child.join(10_000))));
  });
  for (const child of children) child.start();
  return children;
}

export function start(t: TestContext, method: StartMethod, target: (...args: never[]) => unknown, args: unknown[]): Process {
  return startChildren(t, method, [[target, args]])[0];
}

/** Joins every child (bounded) and checks they all exited with 0. */
export async function joinAll(children: readonly Process[], timeout = 30_000): Promise<void> {
  const codes = await Promise.all(children.map((child) => child.join(timeout)));
  assert.deepEqual(codes, children.map(() => 0), `exit codes of ${children.map((c) => c.name).join(', ')}`);
}

/** Int32 counters in shared memory, all zero: raw, or with a lock (the default RLock). */
export function counters(n: number, locked = false): Counters {
  return locked ? new SharedArray('i', n) : new RawArray('i', n);
}

export function at(c: Counters, index: number): number {
  return Atomics.load(c.getObj() as Int32Array, index);
}

/** Waits until counters[index] reaches `n` (a bounded poll); asserts it did. */
export async function reach(c: Counters, index: number, n: number, what: string, ms = 20_000): Promise<void> {
  assert.ok(await waitFor(() => at(c, index) >= n, ms), `${what}: counter ${index} is ${at(c, index)}, expected ${n}`);
}

/** Opens a start gate made by `gate()` once `n` children arrived. */
export async function openGate(gate: Counters, n: number): Promise<void> {
  await reach(gate, 0, n, 'children at the start gate');
  Atomics.store(gate.getObj() as Int32Array, 1, 1);
}
