// A SyncManager's Lock, RLock, Semaphore and BoundedSemaphore (G2): acquire/release with
// block: false and timeouts, withLock/hold, errors (ERR_OVER_RELEASE, LockNotOwnedError), an
// RLock owned per client (another process cannot release it), mutual exclusion across
// processes, and — beyond Python — locks given back when the client holding them dies.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AcquirerProxy, LockNotOwnedError, LockProxy, SemaphoreProxy, TimeoutError, ValueError, type SyncManager } from 'multiprocessing-ts';
import { acquireAndExit, holdUntilKilled, incrementUnderLock, insideSemaphore, releaseForeign, waitOnLock } from '../fixtures/manager-targets.ts';
import { LONG, METHODS, bounded, errorLike, eventually, joinAll, start, startChildren, withFileManager } from './_util.ts';

let manager: SyncManager;
withFileManager((m) => (manager = m));

describe('Lock', () => {
  test('acquire/release/locked; not recursive; block: false and timeouts give false; release of an unlocked Lock is ValueError ERR_OVER_RELEASE', async () => {
    const lock = await manager.Lock();
    assert.ok(lock instanceof LockProxy);
    assert.equal(await lock.locked(), false);
    await assert.rejects(lock.release(), errorLike(ValueError, /not locked/, 'ERR_OVER_RELEASE'));
    assert.equal(await lock.acquire(), true);
    assert.equal(await lock.locked(), true);
    assert.equal(await lock.acquire({ block: false }), false, 'not recursive, even for the same client');
    assert.equal(await lock.acquire({ timeout: 50 }), false);
    await lock.release();
    assert.equal(await lock.locked(), false);
    await assert.rejects(lock.release(), errorLike(ValueError, undefined, 'ERR_OVER_RELEASE'));
    assert.equal(await lock.acquire({ block: false }), true);
    await lock.release();
  });

  test('a waiting acquire is handed the lock by a release (the connection serves both)', async () => {
    const lock = await manager.Lock();
    await lock.acquire();
    const waiting = lock.acquire({ timeout: LONG });
    await lock.release();
    assert.equal(await bounded(waiting, 'the waiting acquire'), true);
    assert.equal(await lock.locked(), true);
    await lock.release();
  });

  test('withLock and hold release on return, on throw and on dispose; a timeout is TimeoutError', async () => {
    const lock = await manager.Lock();
    assert.equal(await lock.withLock(async () => {
      assert.equal(await lock.locked(), true);
      return 7;
    }), 7);
    assert.equal(await lock.locked(), false);
    await assert.rejects(lock.withLock(() => {
      throw new RangeError('inside (test)');
    }), RangeError);
    assert.equal(await lock.locked(), false, 'released after a throw');
    {
      await using held = await lock.hold();
      assert.equal(await lock.locked(), true);
      let ran = false;
      await assert.rejects(lock.withLock(() => (ran = true), { timeout: 30 }), errorLike(TimeoutError, /Lock\.withLock\(\): not acquired within 30 ms/));
      await assert.rejects(lock.hold({ block: false }), TimeoutError);
      assert.equal(ran, false);
      await held.release();
      await held.release(); // once only: a second would be ERR_OVER_RELEASE
      assert.equal(await lock.locked(), false);
      assert.equal(await lock.acquire({ block: false }), true);
    }
    assert.equal(await lock.locked(), true, 'the using block did not release it again');
    await lock.release();
    {
      await using _ = await lock.hold({ timeout: 1000 });
      assert.equal(await lock.locked(), true);
    }
    assert.equal(await lock.locked(), false, 'released at the end of the block');
  });

  test('withLock/hold with block: false that finds it taken: the TimeoutError says so (not "within undefined ms")', async () => {
    const lock = await manager.Lock();
    await lock.acquire();
    try {
      await assert.rejects(lock.hold({ block: false }), (e: unknown) => e instanceof TimeoutError && !/undefined/.test(e.message));
    } finally {
      await lock.release();
    }
  });

  test('a Lock may be released by another client (as Python\'s)', { timeout: 60_000 }, async (t) => {
    const lock = await manager.Lock();
    const report = await manager.dict<string, unknown>();
    await lock.acquire();
    await joinAll([start(t, 'spawn', releaseForeign, [lock, report, 'lock'])]);
    assert.equal(await report.get('lock'), 'released');
    assert.equal(await lock.locked(), false);
  });
});

describe('RLock', () => {
  test('recursive for its holder; released as often as acquired; an extra release is LockNotOwnedError', async () => {
    const rlock = await manager.RLock();
    assert.ok(rlock instanceof AcquirerProxy);
    await assert.rejects(rlock.release(), errorLike(LockNotOwnedError, /does not hold/, 'ERR_LOCK_NOT_OWNED'));
    assert.equal(await rlock.acquire(), true);
    assert.equal(await rlock.acquire({ block: false }), true);
    assert.equal(await rlock.acquire({ timeout: 10 }), true);
    await rlock.withLock(async () => {
      assert.equal(await rlock.acquire({ block: false }), true);
      await rlock.release();
    });
    await rlock.release();
    await rlock.release();
    await rlock.release();
    await assert.rejects(rlock.release(), LockNotOwnedError);
  });

  for (const method of METHODS) {
    test(`another client ('${method}') cannot release it (LockNotOwnedError) and waits for it until both levels are released`, { timeout: 60_000 }, async (t) => {
      const rlock = await manager.RLock();
      const report = await manager.dict<string, unknown>();
      await rlock.acquire();
      await rlock.acquire();
      await joinAll([start(t, method, releaseForeign, [rlock, report, 'rlock'])]);
      const seen = (await report.get('rlock')) as { name: string; code: string };
      assert.equal(seen.name, 'LockNotOwnedError');
      assert.equal(seen.code, 'ERR_LOCK_NOT_OWNED');
      const value = await manager.Value('i', 0);
      const child = start(t, method, incrementUnderLock, [rlock, value, 1]);
      await rlock.release();
      assert.equal(await value.get(), 0, 'the child waits while we still hold one level');
      await rlock.release();
      await joinAll([child]);
      assert.equal(await value.get(), 1, 'the child took it once we released both levels');
    });
  }
});

describe('Semaphore and BoundedSemaphore', () => {
  test('a Semaphore counts; acquire when at 0 gives false (block: false, timeout); release(n) adds n; over-release is allowed', async () => {
    const sem = await manager.Semaphore(2);
    assert.ok(sem instanceof SemaphoreProxy);
    assert.equal(await sem.getValue(), 2);
    assert.equal(await sem.acquire(), true);
    assert.equal(await sem.acquire(), true);
    assert.equal(await sem.getValue(), 0);
    assert.equal(await sem.acquire({ block: false }), false);
    assert.equal(await sem.acquire({ timeout: 30 }), false);
    await sem.release(2);
    assert.equal(await sem.getValue(), 2);
    await sem.release();
    assert.equal(await sem.getValue(), 3, 'a plain Semaphore may go above its start');
    await assert.rejects(sem.release(0), errorLike(ValueError, /positive integer/));
    await assert.rejects(manager.Semaphore(-1), /non-negative integer/);
  });

  test('a waiting acquire is handed the unit a release gives', async () => {
    const sem = await manager.Semaphore(0);
    const waiting = sem.acquire({ timeout: LONG });
    await sem.release();
    assert.equal(await bounded(waiting, 'the waiting acquire'), true);
    assert.equal(await sem.getValue(), 0, 'the unit went to the waiter');
  });

  test('a BoundedSemaphore released above its start is ValueError ERR_OVER_RELEASE (and keeps its value)', async () => {
    const sem = await manager.BoundedSemaphore(2);
    await assert.rejects(sem.release(), errorLike(ValueError, /released too many times/, 'ERR_OVER_RELEASE'));
    assert.equal(await sem.acquire(), true);
    await assert.rejects(sem.release(2), errorLike(ValueError, undefined, 'ERR_OVER_RELEASE'));
    await sem.release();
    assert.equal(await sem.getValue(), 2);
    const one = await manager.BoundedSemaphore();
    assert.equal(await one.getValue(), 1, 'the default value is 1');
  });
});

for (const method of METHODS) {
  describe(`mutual exclusion across processes ('${method}')`, () => {
    test('4 children × 25 read-increment-writes of a manager Value under a manager Lock lose no update', { timeout: 90_000 }, async (t) => {
      const lock = await manager.Lock();
      const value = await manager.Value('i', 0);
      const children = startChildren(t, method, Array.from({ length: 4 }, () => [incrementUnderLock, [lock, value, 25]] as const));
      await joinAll(children, 60_000);
      assert.equal(await value.get(), 100);
      assert.equal(await lock.locked(), false);
    });

    test('a BoundedSemaphore(2) lets at most 2 of 5 children in at once', { timeout: 90_000 }, async (t) => {
      const sem = await manager.BoundedSemaphore(2);
      const guard = await manager.Lock();
      const state = await manager.dict({ inside: 0, most: 0 });
      const children = startChildren(t, method, Array.from({ length: 5 }, () => [insideSemaphore, [sem, state, guard, 150]] as const));
      await joinAll(children, 60_000);
      assert.equal(await state.get('inside'), 0);
      assert.ok(((await state.get('most')) ?? 0) <= 2, `at most 2 inside, saw ${await state.get('most')}`);
      assert.equal(await sem.getValue(), 2, 'every unit came back');
    });
  });
}

describe('locks of a client that dies are given back (beyond Python)', () => {
  for (const method of METHODS) {
    test(`a child ('${method}') killed while holding a Lock and an RLock: the next acquirer gets both`, { timeout: 60_000 }, async (t) => {
      const lock = await manager.Lock();
      const rlock = await manager.RLock();
      const held = await manager.Event();
      const child = start(t, method, holdUntilKilled, [lock, held, rlock]);
      assert.equal(await held.wait(LONG), true, 'the child holds them');
      assert.equal(await lock.acquire({ block: false }), false);
      assert.equal(await rlock.acquire({ block: false }), false);
      child.kill();
      await child.join(LONG);
      assert.equal(await lock.acquire({ timeout: LONG }), true, 'the Lock came back');
      assert.equal(await rlock.acquire({ timeout: LONG }), true, 'the RLock came back');
      await rlock.release();
      await lock.release();
    });
  }

  test('a child that ends without releasing a Lock gives it back', { timeout: 60_000 }, async (t) => {
    const lock = await manager.Lock();
    const held = await manager.Event();
    await joinAll([start(t, 'spawn', acquireAndExit, [lock, held])]);
    assert.equal(await held.isSet(), true, 'the child took it');
    assert.equal(await lock.acquire({ timeout: LONG }), true);
    await lock.release();
  });

  test('a child killed while waiting for a Lock is not handed it later', { timeout: 60_000 }, async (t) => {
    const lock = await manager.Lock();
    const marker = await manager.Lock();
    const waiting = await manager.Event();
    await lock.acquire();
    const child = start(t, 'spawn', waitOnLock, [lock, marker, waiting]);
    assert.equal(await waiting.wait(LONG), true);
    child.kill();
    await child.join(LONG);
    // The marker comes back once the server has seen the child go: its waits went with it.
    assert.equal(await marker.acquire({ timeout: LONG }), true);
    await lock.release();
    await eventually(async () => !(await lock.locked()), 'the lock is free, not handed to the dead child', 5_000);
    assert.equal(await lock.acquire({ block: false }), true);
    await lock.release();
    await marker.release();
  });
});
