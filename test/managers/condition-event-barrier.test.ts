// A SyncManager's Condition, Event and Barrier (G2): their methods and errors in one process,
// then across processes on both start methods — notify/notifyAll/waitFor, a Condition over a
// manager Lock passed in, Event set/wait, Barrier rounds, abort, reset and timeouts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BarrierProxy, BrokenBarrierError, ConditionProxy, EventProxy, LockNotOwnedError, Manager, RemoteError, type SyncManager } from 'multiprocessing-ts';
import { barrierAction, barrierParty, conditionWaitFor, conditionWaiter, failingBarrierAction, waitEvent, waitOnConditionUntilKilled } from '../fixtures/manager-targets.ts';
import { sleep } from '../helpers.ts';
import { LONG, METHODS, bounded, errorLike, eventually, joinAll, shutdownAndCheck, start, startChildren, withFileManager } from './_util.ts';

let manager: SyncManager;
withFileManager((m) => (manager = m));

describe('Condition', () => {
  test('wait/notify/notifyAll without holding the lock are LockNotOwnedError; wait with a timeout gives false and holds the lock again', async () => {
    const cond = await manager.Condition();
    assert.ok(cond instanceof ConditionProxy);
    await assert.rejects(cond.wait(10), errorLike(LockNotOwnedError, /Condition\.wait\(\)/));
    await assert.rejects(cond.notify(), errorLike(LockNotOwnedError, /Condition\.notify\(\)/));
    await assert.rejects(cond.notifyAll(), LockNotOwnedError);
    assert.equal(await cond.acquire(), true);
    assert.equal(await cond.wait(50), false);
    assert.equal(await cond.wait({ timeout: 20 }), false, 'the { timeout } form');
    await cond.notify(); // nobody waits: nothing happens
    await cond.notifyAll();
    await cond.release();
    await assert.rejects(cond.release(), LockNotOwnedError, 'the default lock is an RLock: release by a non-holder');
  });

  test('over its default RLock: acquired twice, wait() gives it up whole and takes it back at the same depth', async () => {
    const cond = await manager.Condition();
    await cond.acquire();
    await cond.acquire();
    assert.equal(await cond.wait(20), false);
    await cond.release();
    await cond.release();
    await assert.rejects(cond.release(), LockNotOwnedError, 'exactly two levels were held again');
  });

  test('waitFor: a true predicate returns at once; a false one returns its last value when the timeout passes', async () => {
    const cond = await manager.Condition();
    await cond.withLock(async () => {
      assert.equal(await cond.waitFor(() => 'ready'), 'ready');
      let calls = 0;
      assert.equal(await cond.waitFor(() => (calls++, 0), 60), 0);
      assert.ok(calls >= 2, 'the predicate was checked again after a wait');
    });
  });

  test('over a manager Lock passed in: the Condition uses that very lock', async () => {
    const lock = await manager.Lock();
    const cond = await manager.Condition(lock);
    await cond.acquire();
    assert.equal(await lock.locked(), true, 'cond.acquire() took the Lock');
    assert.equal(await lock.acquire({ block: false }), false);
    assert.equal(await cond.wait(20), false);
    assert.equal(await lock.locked(), true, 'held again after wait()');
    await lock.release(); // releasing the Lock releases the Condition
    await assert.rejects(cond.notify(), LockNotOwnedError);
    await lock.acquire();
    await cond.notify(); // held through the Lock
    await cond.release();
    assert.equal(await lock.locked(), false);
  });

  test('over a manager RLock passed in: recursion through the RLock counts', async () => {
    const rlock = await manager.RLock();
    const cond = await manager.Condition(rlock);
    await rlock.acquire();
    await cond.acquire();
    assert.equal(await cond.wait(20), false);
    await rlock.release();
    await cond.notify(); // still one level
    await rlock.release();
    await assert.rejects(cond.notify(), LockNotOwnedError);
  });

  test('a proxy that is not a lock is refused', async () => {
    const d = await manager.dict();
    await assert.rejects(manager.Condition(d as never), errorLike(RemoteError, /must be a Lock or RLock of this same manager/));
  });

  test('a lock of another manager is refused, not silently replaced by a new RLock', async (t) => {
    const other = await Manager();
    t.after(() => shutdownAndCheck(other));
    const foreign = await other.Lock();
    let cond: ConditionProxy | null = null;
    try {
      cond = await manager.Condition(foreign);
    } catch (error) {
      assert.ok(error instanceof RemoteError || error instanceof TypeError, `a clear refusal, got ${String(error)}`);
      return;
    }
    // If it is accepted, it must be that lock.
    await foreign.acquire();
    await cond.notify();
    await foreign.release();
  });
});

describe('Event', () => {
  test('isSet/set/clear; wait gives false after its timeout while clear, true at once when set', async () => {
    const event = await manager.Event();
    assert.ok(event instanceof EventProxy);
    assert.equal(await event.isSet(), false);
    assert.equal(await event.wait(30), false);
    assert.equal(await event.wait({ timeout: 10 }), false);
    const waiting = event.wait(LONG);
    await event.set();
    assert.equal(await bounded(waiting, 'a waiting Event.wait()'), true);
    assert.equal(await event.wait(), true);
    await event.clear();
    assert.equal(await event.isSet(), false);
    assert.equal(await event.wait(0), false);
  });
});

describe('Barrier', () => {
  test('parties/nWaiting/broken; a wait that times out breaks it (BrokenBarrierError) until reset()', async () => {
    const barrier = await manager.Barrier(2);
    assert.ok(barrier instanceof BarrierProxy);
    assert.equal(await barrier.parties(), 2);
    assert.equal(await barrier.nWaiting(), 0);
    assert.equal(await barrier.broken(), false);
    await assert.rejects(barrier.wait(50), errorLike(BrokenBarrierError, /broken/));
    assert.equal(await barrier.broken(), true);
    await assert.rejects(barrier.wait(LONG), BrokenBarrierError, 'a broken barrier fails at once');
    await barrier.reset();
    assert.equal(await barrier.broken(), false);
    const first = barrier.wait(LONG);
    assert.equal(await barrier.nWaiting(), 1);
    const second = await barrier.wait(LONG);
    assert.deepEqual([await first, second].sort(), [0, 1]);
  });

  test('a default timeout from Barrier(parties, { timeout }); bad parties fail the create', async () => {
    const barrier = await manager.Barrier(2, { timeout: 40 });
    await assert.rejects(barrier.wait(), BrokenBarrierError);
    await assert.rejects(manager.Barrier(0), errorLike(RemoteError, /parties must be a positive integer/));
  });

  test('an action (an exported function) runs in the server when the last party arrives; one that throws fails the last party and breaks the barrier', async () => {
    const ok = await manager.Barrier(1, { action: barrierAction });
    assert.equal(await ok.wait(), 0);
    const failing = await manager.Barrier(2, { action: failingBarrierAction });
    const firstParty = failing.wait(LONG);
    await assert.rejects(failing.wait(LONG), errorLike(RangeError, /barrier action failed/));
    await assert.rejects(firstParty, BrokenBarrierError);
    assert.equal(await failing.broken(), true);
    await assert.rejects(async () => manager.Barrier(2, { action: () => {} }), /exported|cannot be sent/, 'a closure action cannot cross');
  });
});

for (const method of METHODS) {
  describe(`across processes ('${method}')`, () => {
    test('notify(1) wakes one waiting child, notifyAll() the rest; a timed-out wait returns false', { timeout: 90_000 }, async (t) => {
      const cond = await manager.Condition();
      const state = await manager.dict<string, number>();
      const children = startChildren(t, method, [
        [conditionWaiter, [cond, state, LONG]],
        [conditionWaiter, [cond, state, LONG]],
        [conditionWaiter, [cond, state, LONG]],
      ]);
      await eventually(async () => (await state.get('waiting')) === 3, 'three children waiting');
      await cond.withLock(() => cond.notify(1)); // each counted itself under the lock, then waited: all three wait now
      await eventually(async () => (await state.get('woken')) === 1, 'one woken');
      await sleep(300);
      assert.equal(await state.get('woken'), 1, 'notify(1) woke only one');
      await cond.withLock(() => cond.notifyAll());
      await joinAll(children);
      assert.equal(await state.get('woken'), 3);
      assert.equal(await state.get('timedOut'), undefined);
      const lonely = await manager.dict<string, number>();
      await joinAll([start(t, method, conditionWaiter, [cond, lonely, 50])]);
      assert.equal(await lonely.get('timedOut'), 1);
    });

    test('waitFor across processes: children wake when the parent makes the predicate true and notifies all', { timeout: 90_000 }, async (t) => {
      const cond = await manager.Condition(await manager.Lock());
      const state = await manager.dict({ go: 0 });
      const order = await manager.list<number>();
      const children = startChildren(t, method, [
        [conditionWaitFor, [cond, state, order]],
        [conditionWaitFor, [cond, state, order]],
      ]);
      await eventually(async () => (await state.get('ready')) === 2, 'two children in waitFor');
      assert.equal(await order.len(), 0, 'nobody passed a false predicate');
      await cond.withLock(async () => {
        await state.set('go', 1);
        await cond.notifyAll();
      });
      await joinAll(children);
      assert.equal(await order.len(), 2);
    });

    test('Event: children waiting are released by set(); one with a short timeout gets false', { timeout: 60_000 }, async (t) => {
      const event = await manager.Event();
      const report = await manager.dict<string, { set: boolean; isSet: boolean }>();
      const children = startChildren(t, method, [
        [waitEvent, [event, report, 'a', LONG]],
        [waitEvent, [event, report, 'b', LONG]],
        [waitEvent, [event, report, 'short', 50]],
      ]);
      await eventually(async () => await report.has('short'), 'the short wait ended');
      assert.equal((await report.get('short'))?.set, false);
      await event.set();
      await joinAll(children);
      assert.equal((await report.get('a'))?.set, true);
      assert.equal((await report.get('b'))?.isSet, true);
    });

    test('Barrier: three children and the parent, two rounds; every index once per round', { timeout: 60_000 }, async (t) => {
      const barrier = await manager.Barrier(4);
      const out = await manager.list<unknown>();
      for (let round = 0; round < 2; round++) {
        const children = startChildren(t, method, Array.from({ length: 3 }, () => [barrierParty, [barrier, out]] as const));
        const mine = await barrier.wait(LONG);
        await joinAll(children);
        const indices = [mine, ...(await out.copy())].sort();
        assert.deepEqual(indices, [0, 1, 2, 3], `round ${round}`);
        await out.clear();
      }
    });

    test('Barrier: a child\'s wait that times out breaks it for the other waiting child too', { timeout: 60_000 }, async (t) => {
      const barrier = await manager.Barrier(3);
      const out = await manager.list<unknown>();
      const children = startChildren(t, method, [
        [barrierParty, [barrier, out, LONG]],
        [barrierParty, [barrier, out, 200]],
      ]);
      await joinAll(children);
      assert.deepEqual(await out.copy(), ['BrokenBarrierError', 'BrokenBarrierError']);
      assert.equal(await barrier.broken(), true);
    });

    test('Barrier: abort() and reset() release waiting children with BrokenBarrierError', { timeout: 60_000 }, async (t) => {
      for (const how of ['abort', 'reset'] as const) {
        const barrier = await manager.Barrier(3);
        const out = await manager.list<unknown>();
        const children = startChildren(t, method, [
          [barrierParty, [barrier, out]],
          [barrierParty, [barrier, out]],
        ]);
        await eventually(async () => (await barrier.nWaiting()) === 2, 'two children at the barrier');
        await barrier[how]();
        await joinAll(children);
        assert.deepEqual(await out.copy(), ['BrokenBarrierError', 'BrokenBarrierError'], how);
        assert.equal(await barrier.broken(), how === 'abort');
      }
    });
  });
}

test('a child killed while in Condition.wait() does not take the condition\'s lock with it', { timeout: 60_000 }, async (t) => {
  const cond = await manager.Condition();
  const waiting = await manager.Event();
  const marker = await manager.Lock();
  const child = start(t, 'spawn', waitOnConditionUntilKilled, [cond, waiting, marker]);
  assert.equal(await waiting.wait(LONG), true);
  assert.equal(await cond.acquire({ timeout: LONG }), true, 'the child gave the lock up in wait()');
  child.kill();
  await child.join(LONG);
  // The marker comes back once the server has seen the child go.
  assert.equal(await marker.acquire({ timeout: LONG }), true);
  await marker.release();
  await cond.release();
  assert.equal(await cond.acquire({ timeout: 3_000 }), true, 'the condition\'s lock is free again');
  await cond.release();
});
