// Event (S3, S4's traffic light) across processes and threads, on both start methods.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Event } from 'multiprocessing-ts';
import { car, setEventAfter, trafficLight, waitForEvent } from '../fixtures/sync-targets.ts';
import { sleep } from '../helpers.ts';
import { METHODS, at, counters, joinAll, reach, start, startChildren } from './_util.ts';

test('Event: set/clear/isSet; a wait on a set event is true at once; on a clear one it times out with false', async () => {
  const e = new Event();
  assert.equal(e.isSet(), false);
  assert.equal(await e.wait(80), false);
  assert.equal(await e.wait({ timeout: 30 }), false);
  assert.equal(e.waitSync(50), false);
  assert.equal(e.waitSync(0), false);
  e.set();
  assert.equal(e.isSet(), true);
  assert.equal(await e.wait(), true);
  assert.equal(await e.wait(0), true);
  assert.equal(e.waitSync(), true);
  e.set(); // idempotent
  assert.equal(e.isSet(), true);
  e.clear();
  assert.equal(e.isSet(), false);
  assert.equal(e.waitSync(20), false);
  assert.throws(() => e.waitSync(-5), TypeError);
});

test('Event: a wait resolves when the event is set later in this process; an abort rejects a wait', async () => {
  const e = new Event();
  const pending = e.wait(10_000);
  setTimeout(() => e.set(), 50);
  assert.equal(await pending, true);
  e.clear();
  const controller = new AbortController();
  const aborted = e.wait({ signal: controller.signal });
  setTimeout(() => controller.abort(new RangeError('stop (test)')), 50);
  await assert.rejects(aborted, RangeError);
  await assert.rejects(e.wait({ signal: controller.signal }), RangeError, 'an aborted signal rejects at once');
  // A later set still wakes a later waiter.
  const again = e.wait(10_000);
  e.set();
  assert.equal(await again, true);
});

for (const method of METHODS) {
  describe(`Event on '${method}'`, () => {
    test("the seeds' traffic light: a light process sets and clears the Event; every car process passes", { timeout: 60_000 }, async (t) => {
      const e = new Event();
      const nCars = 5;
      const cars = counters(5); // arrived, passed, waited at red, green phases, gave up
      const light = start(t, method, trafficLight, [e, cars, nCars, 150]);
      const started = [];
      for (let i = 0; i < nCars; i++) {
        await sleep(50 + Math.random() * 250);
        started.push(start(t, method, car, [e, cars, i % 2 === 0 ? 'async' : 'sync']));
      }
      await joinAll(started, 40_000);
      await joinAll([light], 40_000);
      assert.equal(at(cars, 0), nCars);
      assert.equal(at(cars, 1), nCars, 'every car passed');
      assert.equal(at(cars, 4), 0, 'no car gave up');
      assert.ok(at(cars, 3) >= 1, 'the light turned green');
      assert.equal(e.isSet(), false, 'the light ends red');
    });

    test('children waiting on an Event all wake on one set(), in several processes', { timeout: 60_000 }, async (t) => {
      const e = new Event();
      const count = counters(3); // waiting, set, timed out
      const waiters = startChildren(t, method, [
        [waitForEvent, [e, count, 20_000, 'sync']],
        [waitForEvent, [e, count, 20_000, 'async']],
        [waitForEvent, [e, count, 20_000, 'sync']],
        [waitForEvent, [e, count, 20_000, 'async']],
      ]);
      await reach(count, 0, 4, 'waiting');
      await sleep(200);
      assert.equal(at(count, 1) + at(count, 2), 0, 'nobody passed a clear event');
      e.set();
      await joinAll(waiters);
      assert.deepEqual([at(count, 1), at(count, 2)], [4, 0]);
    });

    test('a child waiting with a timeout on a clear Event gets false; on a set one, true at once', async (t) => {
      const e = new Event();
      const count = counters(3);
      await joinAll(startChildren(t, method, [
        [waitForEvent, [e, count, 150, 'sync']],
        [waitForEvent, [e, count, 150, 'async']],
      ]));
      assert.deepEqual([at(count, 1), at(count, 2)], [0, 2]);
      e.set();
      await joinAll(startChildren(t, method, [
        [waitForEvent, [e, count, 0, 'sync']],
        [waitForEvent, [e, count, 0, 'async']],
      ]));
      assert.deepEqual([at(count, 1), at(count, 2)], [2, 2]);
    });

    test('a set() at once undone by clear() still wakes the waiters already waiting (their wait is true)', async (t) => {
      const e = new Event();
      const count = counters(3);
      const children = startChildren(t, method, [
        [waitForEvent, [e, count, 20_000, 'sync']],
        [waitForEvent, [e, count, 20_000, 'async']],
      ]);
      await reach(count, 0, 2, 'waiters started');
      await sleep(300); // both asleep in their wait
      e.set();
      e.clear();
      await joinAll(children);
      assert.deepEqual([at(count, 1), at(count, 2)], [2, 0]);
      assert.equal(e.isSet(), false);
    });

    test('this process waits (async, then sync) for an Event a child sets', async (t) => {
      const e = new Event();
      const setter = start(t, method, setEventAfter, [e, 100]);
      assert.equal(await e.wait(20_000), true);
      await joinAll([setter]);
      e.clear();
      const second = start(t, method, setEventAfter, [e, 100]);
      // Block only once the child runs (a 'thread' child needs this event loop to start).
      await sleep(50);
      assert.equal(e.waitSync(20_000), true);
      await joinAll([second]);
    });
  });
}

test("terminate() ends a 'thread' child blocked in waitSync() (a worker in the kernel cannot be stopped, so it sleeps in slices)", async (t) => {
  const e = new Event();
  const count = counters(3);
  const child = start(t, 'thread', waitForEvent, [e, count, 60_000, 'sync']);
  await reach(count, 0, 1, 'waiter started');
  await sleep(200);
  child.terminate();
  assert.equal(await child.join(10_000), -15, 'the thread stopped');
  assert.deepEqual([at(count, 1), at(count, 2)], [0, 0]);
});
