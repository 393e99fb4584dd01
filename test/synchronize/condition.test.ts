// Condition (S3) across processes and threads, on both start methods.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Condition, Lock, LockNotOwnedError, RLock, Value } from 'multiprocessing-ts';
import { consumer, misuseCondition, notifyAndHold, notifyCondition, producer, waitOnCondition } from '../fixtures/sync-targets.ts';
import { readReport, sleep, tempDir, waitFor } from '../helpers.ts';
import { METHODS, at, counters, joinAll, reach, start, startChildren } from './_util.ts';

test('Condition without holding its lock: wait, waitSync, waitFor, notify, notifyAll are LockNotOwnedError', async () => {
  for (const cond of [new Condition(), new Condition(new Lock()), new Condition(new RLock())]) {
    const notOwned = (e: unknown): boolean => e instanceof LockNotOwnedError && e.code === 'ERR_LOCK_NOT_OWNED';
    await assert.rejects(async () => cond.wait(10), notOwned);
    await assert.rejects(async () => cond.waitFor(() => true, 10), notOwned);
    assert.throws(() => cond.waitSync(10), notOwned);
    assert.throws(() => cond.waitForSync(() => true, 10), notOwned);
    assert.throws(() => cond.notify(), notOwned);
    assert.throws(() => cond.notifyAll(), notOwned);
  }
  assert.throws(() => new Condition({} as Lock), TypeError);
});

test('Condition.wait with a timeout and no notify: false, with the lock held again (an RLock at its depth)', async () => {
  const cond = new Condition(); // an RLock
  assert.equal(cond.acquireSync(), true);
  assert.equal(await cond.acquire(), true); // depth 2
  assert.equal(await cond.wait(60), false);
  assert.equal(cond.waitSync(30), false);
  assert.equal(await cond.waitFor(() => 0, 40), 0);
  assert.equal(cond.waitForSync(() => '', 30), '');
  assert.equal(await cond.waitFor(() => 'ready', 0), 'ready');
  cond.notify(); // still owned: no error, nobody waits
  cond.release();
  cond.release();
  assert.throws(() => cond.release(), LockNotOwnedError, 'the depth was restored, not increased');

  const plain = new Condition(new Lock());
  await plain.withLock(async () => {
    assert.equal(await plain.wait({ timeout: 40 }), false);
    plain.notifyAll();
  });
  assert.equal(plain.acquireSync({ block: false }), true, 'withLock released the re-acquired lock');
  plain.release();
});

test('Condition.wait aborted by a signal rejects and still holds the lock again', async () => {
  const lock = new Lock();
  const cond = new Condition(lock);
  await cond.acquire();
  const controller = new AbortController();
  const waiting = cond.wait({ signal: controller.signal });
  setTimeout(() => controller.abort(new RangeError('stop (test)')), 50);
  await assert.rejects(waiting, RangeError);
  cond.notify(); // no LockNotOwnedError: the lock was taken back
  assert.equal(lock.acquireSync({ block: false }), false);
  cond.release();
});

test('notify from another async task of this thread wakes a wait', async () => {
  const cond = new Condition(new Lock());
  let ready = false;
  await cond.acquire();
  setTimeout(() => void cond.withLock(() => {
    ready = true;
    cond.notify();
  }), 50);
  assert.equal(await cond.waitFor(() => ready, 10_000), true);
  cond.release();
});

for (const method of METHODS) {
  describe(`Condition on '${method}'`, () => {
    test('producer/consumer: one producer, three consumers (waitFor and waitForSync), every item consumed once', { timeout: 60_000 }, async (t) => {
      for (const cond of [new Condition(), new Condition(new Lock())]) {
        const stock = counters(4); // items, consumed, timed out, produced
        const children = startChildren(t, method, [
          [consumer, [cond, stock, 10, 'async']],
          [consumer, [cond, stock, 10, 'sync']],
          [consumer, [cond, stock, 10, 'async']],
          [producer, [cond, stock, 30]],
        ]);
        await joinAll(children, 50_000);
        assert.deepEqual([at(stock, 0), at(stock, 1), at(stock, 2), at(stock, 3)], [0, 30, 0, 30]);
      }
    });

    test('this process consumes what a child produces (await waitFor across processes)', { timeout: 60_000 }, async (t) => {
      const cond = new Condition(new Lock());
      const stock = counters(4);
      const child = start(t, method, producer, [cond, stock, 15]);
      for (let i = 0; i < 15; i++) {
        await cond.withLock(async () => {
          assert.equal(await cond.waitFor(() => stock[0] > 0, 20_000), true);
          stock[0] -= 1;
          stock[1] += 1;
        });
      }
      await joinAll([child]);
      assert.deepEqual([at(stock, 0), at(stock, 1), at(stock, 3)], [0, 15, 15]);
    });

    test('notifyAll wakes every waiting process; their waits return true', { timeout: 60_000 }, async (t) => {
      const cond = new Condition();
      const count = counters(3); // waiting, notified, timed out
      const waiters = startChildren(t, method, [
        [waitOnCondition, [cond, count, 20_000, 'sync']],
        [waitOnCondition, [cond, count, 20_000, 'async']],
        [waitOnCondition, [cond, count, 20_000, 'async']],
      ]);
      await reach(count, 0, 3, 'waiting');
      await sleep(100);
      assert.equal(at(count, 1) + at(count, 2), 0, 'nobody woke without a notify');
      // Each waiter counted itself while holding the lock, and wait() released it: holding the
      // lock now means all three are waiting.
      await cond.withLock(() => cond.notifyAll());
      await joinAll(waiters);
      assert.deepEqual([at(count, 1), at(count, 2)], [3, 0]);
    });

    test('notify(n) from a child wakes waiters in this process and in other children', { timeout: 60_000 }, async (t) => {
      const cond = new Condition(new Lock());
      const count = counters(3);
      const waiters = startChildren(t, method, [
        [waitOnCondition, [cond, count, 20_000, 'sync']],
        [waitOnCondition, [cond, count, 20_000, 'async']],
      ]);
      await reach(count, 0, 2, 'waiting');
      await cond.acquire();
      const mine = cond.wait(20_000);
      const notifier = start(t, method, notifyCondition, [cond, 3]);
      assert.equal(await mine, true);
      cond.release();
      await joinAll([notifier, ...waiters]);
      assert.deepEqual([at(count, 1), at(count, 2)], [2, 0]);
    });

    test('a child waiting with a timeout and no notify gets false', async (t) => {
      const cond = new Condition();
      const count = counters(3);
      await joinAll(startChildren(t, method, [
        [waitOnCondition, [cond, count, 150, 'sync']],
        [waitOnCondition, [cond, count, 150, 'async']],
      ]));
      assert.deepEqual([at(count, 0), at(count, 1), at(count, 2)], [2, 0, 2]);
    });

    test('a child using the condition without its lock gets LockNotOwnedError, even while this process holds it', async (t) => {
      const dir = tempDir(t);
      const cond = new Condition();
      const errors = Array(5).fill('LockNotOwnedError');
      await joinAll([start(t, method, misuseCondition, [cond, join(dir, 'free')])]);
      assert.deepEqual(readReport(join(dir, 'free')), errors);
      assert.equal(cond.acquireSync(), true);
      await joinAll([start(t, method, misuseCondition, [cond, join(dir, 'held')])]);
      assert.deepEqual(readReport(join(dir, 'held')), errors);
      cond.release();
    });

    test('while this process waits, the lock (an RLock held twice) is free for a child, which notifies it', async (t) => {
      const cond = new Condition(new RLock());
      const state = new Value('i', 0, { lock: false });
      await cond.acquire();
      await cond.acquire();
      const waiting = cond.wait(20_000);
      const child = start(t, method, notifyAndHold, [cond, state, 100]);
      assert.equal(await waiting, true);
      assert.equal(state.value, 2, 'the wait re-took the lock only after the child released it');
      cond.release();
      cond.release();
      assert.throws(() => cond.release(), LockNotOwnedError);
      await joinAll([child]);
    });

    test('a wait aborted while it re-takes the lock (held by a child) still returns holding the lock', async (t) => {
      // Condition.wait must hold the lock again when it settles, even when aborted; else the
      // caller's release() frees the lock another process holds.
      const lock = new Lock();
      const cond = new Condition(lock);
      const state = new Value('i', 0, { lock: false });
      await cond.acquire();
      const controller = new AbortController();
      const waiting = cond.wait({ timeout: 20_000, signal: controller.signal });
      const child = start(t, method, notifyAndHold, [cond, state, 1500]);
      assert.ok(await waitFor(() => state.value === 1, 20_000), 'the child notified, holding the lock');
      await sleep(200); // the wait is now waiting for the lock
      controller.abort(new RangeError('stop (test)'));
      const outcome = await waiting.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      const ownedAfter = ((): boolean => {
        try {
          cond.notify();
          return true;
        } catch {
          return false;
        }
      })();
      const childStillHolds = state.value === 1;
      if (ownedAfter) cond.release();
      await joinAll([child]);
      assert.ok('error' in outcome ? outcome.error instanceof RangeError : outcome.value === true, 'settles with the abort or as notified');
      assert.equal(childStillHolds, false, 'the wait settled while the child still held the lock');
      assert.equal(ownedAfter, true, 'after the wait settled, this thread holds the lock');
    });
  });
}
