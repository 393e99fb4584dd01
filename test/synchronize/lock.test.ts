// Lock and RLock (S1, S4's ticket office) across processes and threads, on both start methods.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { Lock, LockNotOwnedError, RLock, TimeoutError, Value, ValueError, type Process } from 'multiprocessing-ts';
import {
  acquireAndHang,
  buyTicket,
  countUnderLock,
  holdUntilTold,
  recurseRLock,
  releaseOnce,
  tryAcquire,
} from '../fixtures/sync-targets.ts';
import { readReport, sleep, tempDir, waitFor } from '../helpers.ts';
import { METHODS, counters, joinAll, openGate, start, startChildren } from './_util.ts';

test('a Lock held by this thread: re-acquiring waits (non-recursive); release of an unlocked Lock is ValueError ERR_OVER_RELEASE', async () => {
  const lock = new Lock();
  assert.throws(() => lock.release(), (e: unknown) => e instanceof ValueError && e.code === 'ERR_OVER_RELEASE');
  assert.equal(lock.acquireSync(), true);
  assert.equal(lock.acquireSync({ timeout: 50 }), false);
  assert.equal(lock.acquireSync({ block: false }), false);
  assert.equal(await lock.acquire({ timeout: 50 }), false);
  assert.equal(await lock.acquire({ block: false }), false);
  lock.release();
  assert.throws(() => lock.release(), (e: unknown) => e instanceof ValueError && e.code === 'ERR_OVER_RELEASE');
  assert.equal(await lock.acquire({ block: false }), true);
  lock.release();
});

test('withLock/withLockSync/hold/holdSync release on return, on throw, and on dispose; a timeout gives TimeoutError', async () => {
  const lock = new Lock();
  assert.equal(lock.withLockSync(() => 7), 7);
  assert.equal(await lock.withLock(async () => 8), 8);
  assert.throws(() => lock.withLockSync(() => { throw new RangeError('inside (test)'); }), RangeError);
  await assert.rejects(lock.withLock(async () => { throw new RangeError('inside (test)'); }), RangeError);
  {
    using held = lock.holdSync();
    assert.equal(lock.acquireSync({ block: false }), false);
    held.release();
    held.release(); // once only
    assert.equal(lock.acquireSync({ block: false }), true);
    lock.release();
  }
  {
    using _ = await lock.hold({ timeout: 1000 });
    let ran = false;
    assert.throws(() => lock.withLockSync(() => (ran = true), { block: false }), TimeoutError);
    await assert.rejects(lock.hold({ timeout: 30 }), (e: unknown) => e instanceof TimeoutError && e.code === 'ERR_TIMEOUT');
    await assert.rejects(lock.withLock(() => (ran = true), { timeout: 30 }), TimeoutError);
    assert.equal(ran, false);
  }
  assert.equal(lock.acquireSync({ block: false }), true, 'the using block released it');
  lock.release();
});

test('an RLock is recursive for its holder; release by a thread that does not hold it is LockNotOwnedError', async () => {
  const rlock = new RLock();
  assert.throws(() => rlock.release(), (e: unknown) => e instanceof LockNotOwnedError && e.code === 'ERR_LOCK_NOT_OWNED');
  assert.equal(rlock.acquireSync(), true);
  assert.equal(await rlock.acquire({ block: false }), true);
  assert.equal(rlock.acquireSync({ timeout: 10 }), true);
  rlock.release();
  rlock.release();
  rlock.release();
  assert.throws(() => rlock.release(), LockNotOwnedError);
});

test('a bad timeout is a TypeError', () => {
  const lock = new Lock();
  assert.throws(() => lock.acquireSync({ timeout: -1 }), TypeError);
  assert.throws(() => lock.acquireSync({ timeout: Number.NaN }), TypeError);
});

for (const method of METHODS) {
  describe(`Lock and RLock on '${method}'`, () => {
    test('4 processes × 2000 withLockSync increments of a raw Value lose no update', { timeout: 60_000 }, async (t) => {
      const lock = new Lock();
      const v = new Value('i', 0, { lock: false });
      const gate = counters(2);
      const children = startChildren(t, method, Array.from({ length: 4 }, () => [countUnderLock, [lock, v, 2000, 'sync', gate]] as const));
      await openGate(gate, 4);
      await joinAll(children, 50_000);
      assert.equal(v.value, 8000);
      assert.equal(lock.acquireSync({ block: false }), true, 'the lock ends free');
      lock.release();
    });

    test('4 processes × 150 async withLock increments (awaiting inside) lose no update', { timeout: 60_000 }, async (t) => {
      const lock = new Lock();
      const v = new Value('i', 0, { lock: false });
      const gate = counters(2);
      const children = startChildren(t, method, Array.from({ length: 4 }, () => [countUnderLock, [lock, v, 150, 'async', gate]] as const));
      await openGate(gate, 4);
      // This process counts too, in the same critical sections.
      for (let i = 0; i < 150; i++) {
        await lock.withLock(async () => {
          const seen = v.value;
          await new Promise((resolve) => setImmediate(resolve));
          v.value = seen + 1;
        });
      }
      await joinAll(children, 50_000);
      assert.equal(v.value, 750);
    });

    test("a Value's own lock (an RLock) serialises v.value += 1 across 3 processes", { timeout: 60_000 }, async (t) => {
      const v = new Value('i', 0);
      const gate = counters(2);
      const children = startChildren(t, method, Array.from({ length: 3 }, () => [countUnderLock, [v, v, 1500, 'sync', gate]] as const));
      await openGate(gate, 3);
      await joinAll(children, 50_000);
      assert.equal(v.value, 4500);
    });

    test('while another process holds the Lock: acquire/acquireSync time out, block:false fails; then it is ours', async (t) => {
      const lock = new Lock();
      const state = new Value('i', 0, { lock: false });
      const holder = start(t, method, holdUntilTold, [lock, state]);
      assert.ok(await waitFor(() => state.value === 1, 20_000), 'the child took the lock');
      assert.equal(await lock.acquire({ timeout: 150 }), false);
      assert.equal(lock.acquireSync({ timeout: 100 }), false);
      assert.equal(await lock.acquire({ block: false }), false);
      assert.equal(lock.acquireSync({ block: false }), false);
      assert.equal(await lock.acquire({ timeout: 0 }), false);
      await assert.rejects(lock.hold({ timeout: 50 }), TimeoutError);
      // A waiter in flight gets the lock once the holder lets go.
      const pending = lock.acquire({ timeout: 20_000 });
      await sleep(50);
      state.value = 2;
      assert.equal(await pending, true);
      assert.equal(lock.previousOwnerDied, false);
      assert.ok(await waitFor(() => state.value === 3, 20_000), `the child released normally (state ${state.value})`);
      lock.release();
      await joinAll([holder]);
    });

    test('an AbortSignal rejects a pending acquire with its reason; the lock stays usable', async (t) => {
      const lock = new Lock();
      const state = new Value('i', 0, { lock: false });
      const holder = start(t, method, holdUntilTold, [lock, state]);
      assert.ok(await waitFor(() => state.value === 1, 20_000));
      const controller = new AbortController();
      const pending = lock.acquire({ signal: controller.signal });
      setTimeout(() => controller.abort(new RangeError('stop waiting (test)')), 100);
      await assert.rejects(pending, (e: unknown) => e instanceof RangeError && e.message === 'stop waiting (test)');
      await assert.rejects(lock.acquire({ signal: controller.signal }), RangeError, 'an aborted signal rejects at once');
      await assert.rejects(lock.withLock(() => assert.fail('must not run'), { signal: AbortSignal.timeout(50) }), (e: unknown) => (e as Error).name === 'TimeoutError');
      state.value = 2;
      assert.equal(await lock.acquire({ timeout: 20_000 }), true);
      lock.release();
      await joinAll([holder]);
      // The aborted waiters left nothing behind.
      assert.equal(lock.acquireSync({ block: false }), true);
      lock.release();
    });

    test('any process may release a Lock; a child releasing an unlocked Lock gets ValueError ERR_OVER_RELEASE', async (t) => {
      const dir = tempDir(t);
      const lock = new Lock();
      assert.equal(lock.acquireSync(), true);
      const releaser = start(t, method, releaseOnce, [lock, join(dir, 'first')]);
      await joinAll([releaser]);
      assert.equal(readReport(join(dir, 'first')), 'released');
      assert.equal(lock.acquireSync({ block: false }), true, 'the child released our hold');
      lock.release();
      const again = start(t, method, releaseOnce, [lock, join(dir, 'second')]);
      await joinAll([again]);
      assert.deepEqual(
        (({ name, code }) => ({ name, code }))(readReport<{ name: string; code: string }>(join(dir, 'second'))),
        { name: 'ValueError', code: 'ERR_OVER_RELEASE' },
      );
    });

    test("the seeds' ticket office: 5 buyers, 1 ticket, under a Lock: exactly one succeeds", { timeout: 60_000 }, async (t) => {
      const dir = tempDir(t);
      const ticketFile = join(dir, 'ticket');
      const log = join(dir, 'log');
      writeFileSync(ticketFile, JSON.stringify({ count: 1 }));
      writeFileSync(log, '');
      const lock = new Lock();
      const buyers = startChildren(t, method, Array.from({ length: 5 }, (_, i) => [buyTicket, [i, lock, ticketFile, log]] as const));
      await joinAll(buyers);
      const lines = readFileSync(log, 'utf8').trim().split('\n').sort();
      assert.equal(lines.length, 5, lines.join(','));
      assert.equal(lines.filter((line) => line.endsWith(':ok')).length, 1, lines.join(','));
      assert.equal(lines.filter((line) => line.endsWith(':fail')).length, 4, lines.join(','));
      assert.deepEqual(lines.map((line) => line.split(':')[0]).sort(), ['0', '1', '2', '3', '4']);
      assert.deepEqual(JSON.parse(readFileSync(ticketFile, 'utf8')), { count: 0 });
    });

    test('an RLock held twice by this process is free for a child only after the second release', async (t) => {
      const dir = tempDir(t);
      const rlock = new RLock();
      const probe = async (name: string, expected: boolean): Promise<void> => {
        const child = start(t, method, tryAcquire, [rlock, join(dir, name), { timeout: 100 }, 'async']);
        await joinAll([child]);
        assert.equal(readReport(join(dir, name)), expected, name);
      };
      assert.equal(rlock.acquireSync(), true);
      assert.equal(await rlock.acquire(), true);
      await probe('held twice', false);
      rlock.release();
      await probe('held once', false);
      rlock.release();
      await probe('released', true);
      // And the child's own hold is gone.
      assert.equal(rlock.acquireSync({ block: false }), true);
      rlock.release();
    });

    test('a child takes an RLock recursively and releases it as often; a fourth release is LockNotOwnedError', async (t) => {
      const file = join(tempDir(t), 'steps');
      const rlock = new RLock();
      await joinAll([start(t, method, recurseRLock, [rlock, file])]);
      assert.deepEqual(readReport(file), [true, true, true, 'LockNotOwnedError']);
      assert.equal(rlock.acquireSync({ block: false }), true);
      rlock.release();
    });

    test('a child that does not hold an RLock cannot release it (LockNotOwnedError); the holder keeps it', async (t) => {
      const dir = tempDir(t);
      const rlock = new RLock();
      assert.equal(rlock.acquireSync(), true);
      await joinAll([start(t, method, releaseOnce, [rlock, join(dir, 'release')])]);
      const got = readReport<{ name: string; code: string }>(join(dir, 'release'));
      assert.equal(got.name, 'LockNotOwnedError');
      assert.equal(got.code, 'ERR_LOCK_NOT_OWNED');
      await joinAll([start(t, method, tryAcquire, [rlock, join(dir, 'try'), { block: false }, 'sync'])]);
      assert.equal(readReport(join(dir, 'try')), false, 'still held by this process');
      rlock.release();
      assert.throws(() => rlock.release(), LockNotOwnedError);
    });

    test('a child holding an RLock from its side: this process cannot release it', async (t) => {
      const rlock = new RLock();
      const state = new Value('i', 0, { lock: false });
      const holder = start(t, method, holdUntilTold, [rlock, state, 2]);
      assert.ok(await waitFor(() => state.value === 1, 20_000));
      assert.throws(() => rlock.release(), LockNotOwnedError);
      assert.equal(await rlock.acquire({ timeout: 100 }), false);
      state.value = 2;
      assert.equal(await rlock.acquire({ timeout: 20_000 }), true);
      rlock.release();
      await joinAll([holder]);
      assert.equal(state.value, 3);
    });

    describe('robustness: the holder dies', () => {
      const stop = (p: Process): void => (method === 'thread' ? p.terminate() : p.kill());
      const stopCode = method === 'thread' ? -15 : -9;

      test(`a Lock whose holder is ${method === 'thread' ? 'terminated' : 'SIGKILLed'} is taken over, with previousOwnerDied`, async (t) => {
        const lock = new Lock();
        const state = new Value('i', 0, { lock: false });
        const holder = start(t, method, acquireAndHang, [lock, state]);
        assert.ok(await waitFor(() => state.value === 1, 20_000), 'the child took the lock');
        assert.equal(await lock.acquire({ timeout: 200 }), false, 'a live holder keeps the lock');
        stop(holder);
        assert.equal(await holder.join(10_000), stopCode);
        assert.equal(await lock.acquire({ timeout: 5000 }), true, 'taken over from the dead holder');
        assert.equal(lock.previousOwnerDied, true);
        lock.release();
        assert.equal(lock.previousOwnerDied, false);
        assert.equal(lock.acquireSync({ block: false }), true);
        assert.equal(lock.previousOwnerDied, false, 'only the hold that took over');
        lock.release();
      });

      test('a sync waiter (acquireSync with a timeout) takes over too, and so does a waiter already asleep', async (t) => {
        const lock = new Lock();
        const state = new Value('i', 0, { lock: false });
        const holder = start(t, method, acquireAndHang, [lock, state]);
        assert.ok(await waitFor(() => state.value === 1, 20_000));
        const asleep = lock.acquire({ timeout: 10_000 });
        await sleep(150);
        stop(holder);
        assert.equal(await asleep, true);
        assert.equal(lock.previousOwnerDied, true);
        lock.release();
        // The sync form, against a second dead holder.
        state.value = 0;
        const second = start(t, method, acquireAndHang, [lock, state]);
        assert.ok(await waitFor(() => state.value === 1, 20_000));
        stop(second);
        assert.equal(await second.join(10_000), stopCode);
        assert.equal(lock.acquireSync({ timeout: 5000 }), true);
        assert.equal(lock.previousOwnerDied, true);
        lock.release();
        // And a non-blocking attempt, once the holder is known to be gone.
        state.value = 0;
        const third = start(t, method, acquireAndHang, [lock, state]);
        assert.ok(await waitFor(() => state.value === 1, 20_000));
        stop(third);
        assert.equal(await third.join(10_000), stopCode);
        // join() resolves once the holder's kernel thread is gone (on 'thread' too): no waiting.
        assert.equal(lock.acquireSync({ block: false }), true, 'a non-blocking acquire takes over at once');
        assert.equal(lock.previousOwnerDied, true);
        lock.release();
      });

      test('an RLock held twice by a dead holder is taken over, at depth 1', async (t) => {
        const rlock = new RLock();
        const state = new Value('i', 0, { lock: false });
        const holder = start(t, method, acquireAndHang, [rlock, state, 2]);
        assert.ok(await waitFor(() => state.value === 1, 20_000));
        assert.equal(rlock.acquireSync({ timeout: 100 }), false);
        stop(holder);
        assert.equal(await holder.join(10_000), stopCode);
        assert.equal(rlock.acquireSync({ timeout: 5000 }), true);
        assert.equal(rlock.previousOwnerDied, true);
        rlock.release();
        assert.throws(() => rlock.release(), LockNotOwnedError, 'one release frees it');
        const dir = tempDir(t);
        await joinAll([start(t, method, tryAcquire, [rlock, join(dir, 'after'), { timeout: 1000 }, 'sync'])]);
        assert.equal(readReport(join(dir, 'after')), true, 'another process can take it');
      });

      test("a Value's lock (getLock()) held by a dead holder is taken over", async (t) => {
        const v = new Value('d', 1.5);
        const state = new Value('i', 0, { lock: false });
        const holder = start(t, method, acquireAndHang, [v, state]);
        assert.ok(await waitFor(() => state.value === 1, 20_000));
        assert.equal(await v.acquire({ timeout: 100 }), false);
        stop(holder);
        assert.equal(await v.acquire({ timeout: 5000 }), true);
        assert.equal(v.getLock().previousOwnerDied, true);
        assert.equal(v.value, 1.5);
        v.release();
        // A Value over a given Lock, too.
        const lock = new Lock();
        const w = new Value('i', 3, { lock });
        state.value = 0;
        const second = start(t, method, acquireAndHang, [w, state]);
        assert.ok(await waitFor(() => state.value === 1, 20_000));
        assert.equal(lock.acquireSync({ block: false }), false, 'the child holds the shared Lock');
        stop(second);
        assert.equal(await w.acquire({ timeout: 5000 }), true);
        assert.equal(w.getLock(), lock);
        assert.equal(lock.previousOwnerDied, true);
        w.release();
      });
    });
  });
}
