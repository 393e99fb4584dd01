// Barrier (S3) across processes and threads, on both start methods.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { Barrier, BrokenBarrierError, SharedArray, ValueError } from 'multiprocessing-ts';
import { BROKEN, NOT_YET, OTHER_ERROR, barrierAction, barrierWait, failingAction } from '../fixtures/sync-targets.ts';
import { sleep, tempDir, waitFor } from '../helpers.ts';
import { METHODS, joinAll, startChildren, type TestContext } from './_util.ts';

const isBroken = (e: unknown): boolean => e instanceof BrokenBarrierError && e.code === 'ERR_BROKEN_BARRIER';

function results(n: number): SharedArray<'i'> {
  return new SharedArray('i', Array(n).fill(NOT_YET), { lock: false });
}

/** A fresh file the exported barrierAction appends to (named in the environment, which children inherit). */
function actionFile(t: TestContext & Parameters<typeof tempDir>[0]): string {
  const file = join(tempDir(t), 'action');
  writeFileSync(file, '');
  process.env.MPTS_TEST_BARRIER_ACTION_FILE = file;
  return file;
}

function actionRuns(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

test('Barrier basics in one process: parties, nWaiting, broken, bad arguments', async (t) => {
  const barrier = new Barrier(2);
  assert.equal(barrier.parties, 2);
  assert.equal(barrier.nWaiting, 0);
  assert.equal(barrier.broken, false);
  const first = barrier.wait(10_000);
  assert.equal(barrier.nWaiting, 1);
  const second = barrier.wait(10_000);
  assert.deepEqual((await Promise.all([first, second])).sort(), [0, 1]);
  assert.equal(barrier.nWaiting, 0);
  assert.equal(new Barrier(1).waitSync(), 0, 'one party passes alone');
  assert.throws(() => new Barrier(0), ValueError);
  assert.throws(() => new Barrier(1.5), ValueError);
  assert.throws(() => new Barrier(2, { action: 'x' as unknown as () => void }), TypeError);
  // The action runs once, in the last party to arrive.
  const file = actionFile(t);
  const withAction = new Barrier(3, { action: barrierAction });
  const indices = await Promise.all([withAction.wait(10_000), withAction.wait(10_000), withAction.wait(10_000)]);
  assert.deepEqual(indices.sort(), [0, 1, 2]);
  assert.equal(actionRuns(file).length, 1);
});

test('Barrier in one process: a timeout breaks it (BrokenBarrierError), later waits fail at once, reset() repairs it', async () => {
  const barrier = new Barrier(2);
  await assert.rejects(barrier.wait(50), isBroken);
  assert.equal(barrier.broken, true);
  await assert.rejects(barrier.wait(10_000), isBroken);
  assert.throws(() => barrier.waitSync(10_000), isBroken);
  barrier.reset();
  assert.equal(barrier.broken, false);
  const both = Promise.all([barrier.wait(10_000), barrier.wait(10_000)]);
  assert.deepEqual((await both).sort(), [0, 1]);
  // The default timeout given at construction.
  const timed = new Barrier(2, { timeout: 50 });
  assert.throws(() => timed.waitSync(), isBroken);
  assert.equal(timed.broken, true);
});

test('Barrier in one process: abort() breaks current waits; a failing action breaks the barrier and reaches the last party', async () => {
  const barrier = new Barrier(3);
  const waiting = barrier.wait(10_000);
  await sleep(20);
  barrier.abort();
  await assert.rejects(waiting, isBroken);
  assert.equal(barrier.broken, true);
  const failing = new Barrier(2, { action: failingAction });
  const first = failing.wait(10_000);
  await assert.rejects(failing.wait(10_000), (e: unknown) => e instanceof RangeError && /action failed/.test((e as Error).message));
  await assert.rejects(first, isBroken);
  assert.equal(failing.broken, true);
});

test('Barrier.wait aborted by a signal rejects with its reason and withdraws that party', async () => {
  const barrier = new Barrier(2);
  const controller = new AbortController();
  const withdrawn = barrier.wait({ timeout: 10_000, signal: controller.signal });
  assert.equal(barrier.nWaiting, 1);
  setTimeout(() => controller.abort(new RangeError('stop (test)')), 30);
  await assert.rejects(withdrawn, RangeError);
  assert.equal(barrier.nWaiting, 0);
  assert.equal(barrier.broken, false);
  assert.deepEqual((await Promise.all([barrier.wait(10_000), barrier.wait(10_000)])).sort(), [0, 1]);
});

for (const method of METHODS) {
  describe(`Barrier on '${method}'`, () => {
    test('4 child parties and this process pass together twice, with distinct indices; the action runs once per round', { timeout: 60_000 }, async (t) => {
      const file = actionFile(t);
      const rounds = 2;
      const barrier = new Barrier(5, { action: barrierAction });
      const got = results(4 * rounds);
      const children = startChildren(t, method, Array.from({ length: 4 }, (_, slot) => [barrierWait, [barrier, got, slot, rounds, 30_000, slot % 2 === 0 ? 'sync' : 'async']] as const));
      const mine: number[] = [];
      for (let r = 0; r < rounds; r++) mine.push(await barrier.wait(30_000));
      await joinAll(children, 40_000);
      for (let r = 0; r < rounds; r++) {
        const round = [0, 1, 2, 3].map((slot) => got[slot * rounds + r]).concat(mine[r]);
        assert.deepEqual(round.sort(), [0, 1, 2, 3, 4], `round ${r}: ${round}`);
      }
      assert.equal(actionRuns(file).length, rounds, actionRuns(file).join(','));
      assert.equal(barrier.nWaiting, 0);
      assert.equal(barrier.broken, false);
    });

    test('3 child parties alone: all pass with indices 0..2; the action runs in one of them', { timeout: 60_000 }, async (t) => {
      const file = actionFile(t);
      const barrier = new Barrier(3, { action: barrierAction });
      const got = results(3);
      const children = startChildren(t, method, Array.from({ length: 3 }, (_, slot) => [barrierWait, [barrier, got, slot, 1, 30_000, slot === 1 ? 'sync' : 'async']] as const));
      await joinAll(children, 40_000);
      assert.deepEqual(got.slice().sort(), [0, 1, 2]);
      const runs = actionRuns(file);
      assert.equal(runs.length, 1);
      if (method === 'spawn') {
        assert.ok(children.some((child) => runs[0].startsWith(`${child.pid}:`)), `${runs[0]} is a child`);
      } else {
        assert.notEqual(runs[0], `${process.pid}:0`, 'not this thread');
      }
    });

    test('abort() from this process breaks the waits of the children (BrokenBarrierError); reset() makes it usable again', { timeout: 60_000 }, async (t) => {
      const barrier = new Barrier(3);
      const got = results(2);
      const children = startChildren(t, method, [
        [barrierWait, [barrier, got, 0, 1, 30_000, 'sync']],
        [barrierWait, [barrier, got, 1, 1, 30_000, 'async']],
      ]);
      assert.ok(await waitFor(() => barrier.nWaiting === 2, 20_000), `nWaiting ${barrier.nWaiting}`);
      barrier.abort();
      await joinAll(children);
      assert.deepEqual(got.slice(), [BROKEN, BROKEN]);
      assert.equal(barrier.broken, true);
      assert.equal(barrier.nWaiting, 0);
      await assert.rejects(barrier.wait(10_000), isBroken);
      barrier.reset();
      assert.equal(barrier.broken, false);
      const again = results(2);
      const second = startChildren(t, method, [
        [barrierWait, [barrier, again, 0, 1, 30_000, 'async']],
        [barrierWait, [barrier, again, 1, 1, 30_000, 'sync']],
      ]);
      const mine = await barrier.wait(30_000);
      await joinAll(second);
      assert.deepEqual([...again.slice(), mine].sort(), [0, 1, 2]);
    });

    test('reset() while children wait: they get BrokenBarrierError, and the barrier is not broken afterwards', { timeout: 60_000 }, async (t) => {
      const barrier = new Barrier(3);
      const got = results(2);
      const children = startChildren(t, method, [
        [barrierWait, [barrier, got, 0, 1, 30_000, 'async']],
        [barrierWait, [barrier, got, 1, 1, 30_000, 'sync']],
      ]);
      assert.ok(await waitFor(() => barrier.nWaiting === 2, 20_000), `nWaiting ${barrier.nWaiting}`);
      barrier.reset();
      await joinAll(children);
      assert.deepEqual(got.slice(), [BROKEN, BROKEN]);
      assert.equal(barrier.broken, false);
      assert.equal(barrier.nWaiting, 0);
      const again = results(3);
      await joinAll(startChildren(t, method, Array.from({ length: 3 }, (_, slot) => [barrierWait, [barrier, again, slot, 1, 30_000, 'async']] as const)));
      assert.deepEqual(again.slice().sort(), [0, 1, 2]);
    });

    test('the default timeout given at construction breaks the barrier in a child', { timeout: 60_000 }, async (t) => {
      const timed = new Barrier(3, { timeout: 100 });
      const got = results(2);
      await joinAll(startChildren(t, method, [
        [barrierWait, [timed, got, 0, 1, undefined, 'sync']],
        [barrierWait, [timed, got, 1, 1, undefined, 'async']],
      ]));
      assert.deepEqual(got.slice(), [BROKEN, BROKEN]);
      assert.equal(timed.broken, true);
    });

    test('a timeout in one child breaks the barrier for the other waiting children', { timeout: 60_000 }, async (t) => {
      const barrier = new Barrier(4);
      const got = results(3);
      const children = startChildren(t, method, [
        [barrierWait, [barrier, got, 0, 1, 30_000, 'sync']],
        [barrierWait, [barrier, got, 1, 1, 30_000, 'async']],
      ]);
      assert.ok(await waitFor(() => barrier.nWaiting === 2, 20_000), `nWaiting ${barrier.nWaiting}`);
      const impatient = startChildren(t, method, [[barrierWait, [barrier, got, 2, 1, 200, 'async']]]);
      await joinAll([...children, ...impatient]);
      assert.deepEqual(got.slice(), [BROKEN, BROKEN, BROKEN]);
      assert.equal(barrier.broken, true);
    });

    test("an action failing in a child: that party gets the action's error, the others BrokenBarrierError", { timeout: 60_000 }, async (t) => {
      const barrier = new Barrier(2, { action: failingAction });
      const got = results(1);
      const mine = barrier.wait(30_000);
      const children = startChildren(t, method, [[barrierWait, [barrier, got, 0, 1, 30_000, 'sync']]]);
      await assert.rejects(mine, isBroken);
      await joinAll(children);
      assert.deepEqual(got.slice(), [OTHER_ERROR]);
      assert.equal(barrier.broken, true);
    });
  });
}
