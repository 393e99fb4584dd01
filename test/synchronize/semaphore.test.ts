// Semaphore and BoundedSemaphore (S2, S4's KTV) across processes and threads, on both start methods.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BoundedSemaphore, Semaphore, TimeoutError, ValueError } from 'multiprocessing-ts';
import { acquireAndCount, ktv, releaseOnce } from '../fixtures/sync-targets.ts';
import { readReport, sleep, tempDir } from '../helpers.ts';
import { METHODS, at, counters, joinAll, openGate, reach, start, startChildren } from './_util.ts';

const overRelease = (e: unknown): boolean => e instanceof ValueError && e.code === 'ERR_OVER_RELEASE';

test('Semaphore counts: acquire takes one, release gives one back, even above the initial value', async () => {
  const sem = new Semaphore(2);
  assert.equal(sem.getValue(), 2);
  assert.equal(sem.acquireSync(), true);
  assert.equal(await sem.acquire(), true);
  assert.equal(sem.getValue(), 0);
  assert.equal(sem.acquireSync({ block: false }), false);
  assert.equal(await sem.acquire({ block: false }), false);
  assert.equal(sem.acquireSync({ timeout: 50 }), false);
  assert.equal(await sem.acquire({ timeout: 50 }), false);
  await assert.rejects(sem.hold({ timeout: 20 }), TimeoutError);
  sem.release();
  sem.release();
  sem.release();
  assert.equal(sem.getValue(), 3, 'a plain Semaphore may go above its initial value');
  assert.equal(new Semaphore().getValue(), 1);
  assert.equal(new Semaphore(0).getValue(), 0);
  assert.throws(() => new Semaphore(-1), ValueError);
  assert.throws(() => new Semaphore(1.5), ValueError);
});

test('BoundedSemaphore: release above the initial value is ValueError ERR_OVER_RELEASE and changes nothing', () => {
  const sem = new BoundedSemaphore(2);
  assert.throws(() => sem.release(), overRelease);
  assert.equal(sem.getValue(), 2);
  assert.equal(sem.acquireSync(), true);
  sem.release();
  assert.throws(() => sem.release(), overRelease);
  assert.equal(sem.getValue(), 2);
  assert.equal(new BoundedSemaphore().getValue(), 1);
  assert.throws(() => new BoundedSemaphore().release(), overRelease);
});

test('withLock on a Semaphore gives the unit back even when fn throws', async () => {
  const sem = new Semaphore(1);
  await assert.rejects(sem.withLock(async () => { throw new RangeError('inside (test)'); }), RangeError);
  assert.equal(sem.getValue(), 1);
  assert.equal(sem.withLockSync(() => sem.getValue()), 0);
  assert.equal(sem.getValue(), 1);
});

for (const method of METHODS) {
  describe(`Semaphore on '${method}'`, () => {
    test("the seeds' KTV: Semaphore(4), 7 people: at most 4 inside at once, and the room does fill to 4", { timeout: 60_000 }, async (t) => {
      const sem = new Semaphore(4);
      const room = counters(3, true); // inside, peak, visits
      const gate = counters(2);
      const people = startChildren(t, method, Array.from({ length: 7 }, (_, i) => [ktv, [sem, room, 4, gate, i % 2 === 0 ? 'sync' : 'async']] as const));
      await openGate(gate, 7);
      await joinAll(people, 50_000);
      assert.equal(room[2], 7, 'every person sang');
      assert.equal(room[1], 4, 'peak occupancy');
      assert.equal(room[0], 0, 'everyone left');
      assert.equal(sem.getValue(), 4);
    });

    test('a BoundedSemaphore over-released by a child: ValueError ERR_OVER_RELEASE in the child', async (t) => {
      const dir = tempDir(t);
      const sem = new BoundedSemaphore(1);
      assert.equal(sem.acquireSync(), true);
      await joinAll([start(t, method, releaseOnce, [sem, join(dir, 'first')])]);
      assert.equal(readReport(join(dir, 'first')), 'released');
      assert.equal(sem.getValue(), 1);
      await joinAll([start(t, method, releaseOnce, [sem, join(dir, 'second')])]);
      const got = readReport<{ name: string; code: string }>(join(dir, 'second'));
      assert.equal(got.name, 'ValueError');
      assert.equal(got.code, 'ERR_OVER_RELEASE');
      assert.equal(sem.getValue(), 1);
    });

    test('children waiting on Semaphore(0) wake one per release; a timed wait gives up', { timeout: 60_000 }, async (t) => {
      const sem = new Semaphore(0);
      const count = counters(3); // waiting, acquired, timed out
      const waiters = startChildren(t, method, [
        [acquireAndCount, [sem, count, 20_000, 'sync']],
        [acquireAndCount, [sem, count, 20_000, 'async']],
        [acquireAndCount, [sem, count, 20_000, 'async']],
      ]);
      await reach(count, 0, 3, 'waiting');
      await sleep(200);
      assert.equal(at(count, 1), 0, 'nobody got through Semaphore(0)');
      sem.release();
      await reach(count, 1, 1, 'acquired after one release');
      await sleep(200);
      assert.equal(at(count, 1), 1, 'one release lets one through');
      sem.release();
      sem.release();
      await joinAll(waiters);
      assert.deepEqual([at(count, 1), at(count, 2)], [3, 0]);
      assert.equal(sem.getValue(), 0);
      // A child's timed wait runs out.
      const timed = start(t, method, acquireAndCount, [sem, count, 150, 'sync']);
      await joinAll([timed]);
      assert.equal(at(count, 2), 1);
    });

    test('this process waits on a Semaphore a child releases; an abort rejects a pending acquire', async (t) => {
      const sem = new Semaphore(0);
      const controller = new AbortController();
      const aborted = sem.acquire({ signal: controller.signal });
      setTimeout(() => controller.abort(new RangeError('stop (test)')), 50);
      await assert.rejects(aborted, RangeError);
      const pending = sem.acquire({ timeout: 20_000 });
      const releaser = start(t, method, releaseOnce, [sem, join(tempDir(t), 'released')]);
      assert.equal(await pending, true);
      await joinAll([releaser]);
      assert.equal(sem.getValue(), 0);
      assert.equal(sem.acquireSync({ timeout: 30 }), false);
    });
  });
}
