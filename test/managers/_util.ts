// Helpers for the manager tests (G1–G3): managers that are always shut down (and their server
// process checked gone) after a test or a file, bounded waits, and end-of-file checks that no
// child is alive and nothing of ours was left in /dev/shm.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { activeChildren, Manager, type BaseManager, type ManagerOptions, type SyncManager } from 'multiprocessing-ts';
import { isDead, sleep, waitFor } from '../helpers.ts';

export { METHODS, isError, joinAll, start, startChildren } from '../queues/_util.ts';
export { bounded } from '../futures/_util.ts';

/** The longest a test waits for one thing. */
export const LONG = 20_000;

interface After {
  after(fn: () => void | Promise<void>): void;
}

/** Shuts `manager` down and checks its server process (if it started one) is gone. */
export async function shutdownAndCheck(manager: BaseManager): Promise<void> {
  const pid = manager.process?.pid ?? null;
  await manager.shutdown();
  if (pid !== null && pid !== process.pid) {
    assert.ok(await waitFor(() => isDead(pid), 10_000), `the server process ${pid} of ${manager.constructor.name} is still alive after shutdown()`);
  }
}

/** A started SyncManager, shut down after the test (or the describe block / file, with `after`). */
export async function managerFor(t: After, options?: ManagerOptions): Promise<SyncManager> {
  const manager = await Manager(options);
  t.after(() => shutdownAndCheck(manager));
  return manager;
}

/** A started manager of any class, shut down after. */
export async function started<M extends BaseManager>(t: After, manager: M): Promise<M> {
  t.after(() => shutdownAndCheck(manager));
  await manager.start();
  return manager;
}

/** A full GC in this process (the flag can be set at run time); then a turn for finalizers. */
export async function collectGarbage(): Promise<void> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  await sleep(0);
  gc();
  await sleep(20);
  gc();
  await sleep(20);
}

/** Our segments now in /dev/shm. */
export function shmNames(): Set<string> {
  return new Set(existsSync('/dev/shm') ? readdirSync('/dev/shm').filter((n) => n.startsWith('mpts')) : []);
}

/**
 * For a file's after(): no child of this process is alive, and no segment of ours that was not
 * there at the start stays in /dev/shm (the resource tracker may take a moment).
 */
export async function checkNothingLeft(shmBefore: ReadonlySet<string>): Promise<void> {
  assert.ok(await waitFor(() => activeChildren().length === 0, 10_000), `children still alive: ${activeChildren().map((c) => c.name).join(', ')}`);
  const left = (): string[] => [...shmNames()].filter((n) => !shmBefore.has(n));
  assert.ok(await waitFor(() => left().length === 0, 10_000), `left in /dev/shm: ${left().join(', ')}`);
}

/** Polls an async check until it holds (bounded); asserts it did. */
export async function eventually(check: () => Promise<boolean>, what: string, ms = LONG): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(25);
  }
}

/** An assert.rejects validator: an instance of `cls` whose message matches `message`. */
export function errorLike(cls: abstract new (...args: never[]) => Error, message?: RegExp, code?: string): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String((e as Error)?.constructor?.name)}: ${String((e as Error)?.message)}`);
    if (message !== undefined) assert.match(e.message, message);
    if (code !== undefined) assert.equal((e as { code?: unknown }).code, code);
    return true;
  };
}

/**
 * One started SyncManager for a whole test file, handed to `use` before the tests; after them
 * it is shut down, and nothing of ours may be left (no child, nothing in /dev/shm).
 */
export function withFileManager(use: (manager: SyncManager) => void): void {
  const shmBefore = shmNames();
  let manager: SyncManager | undefined;
  before(async () => {
    manager = await Manager();
    use(manager);
  });
  after(async () => {
    if (manager !== undefined) await shutdownAndCheck(manager);
    await checkNothingLeft(shmBefore);
  });
}
