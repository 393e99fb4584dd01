// W4, beyond Python, on both start methods: a per-task AbortSignal and timeout. A task not
// started is taken back and its worker left alone; a running one's worker is stopped (and
// should be replaced). imap's backpressure, async sources and progress: w4-imap.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Event, TimeoutError, type Pool, type Progress } from 'multiprocessing-ts';
import { announced, mark, slowSquare, square } from '../fixtures/crash-targets.ts';
import { exists, isDead, tempDir, waitFor } from '../helpers.ts';
import { LONG, METHODS, bounded, isError, makePool, range, rejection, type TestContext } from '../futures/_util.ts';

/** An Event for a test, set after it (so nothing waits on it for long). */
function gate(t: TestContext): Event {
  const g = new Event();
  t.after(() => g.set());
  return g;
}

/** Starts a long task that writes its worker's name to a file; returns the name once it runs. */
async function startAnnounced(t: TestContext, pool: Pool, event: Event | null, options: { signal?: AbortSignal; timeout?: number } = {}) {
  const file = join(tempDir(t), 'who');
  const result = pool.applyAsync(announced, [file, event, 'done'], options);
  result.then(undefined, () => {}); // its rejection is awaited later (or not at all)
  assert.ok(await waitFor(() => exists(file), LONG), 'the long task started');
  return { result, name: readFileSync(file, 'utf8') };
}

for (const method of METHODS) {
  describe(`Pool on '${method}': AbortSignal and timeout per task`, () => {
    test('a signal aborted before the task starts: it rejects with the reason, never runs, and the worker is left alone', async (t) => {
      const pool = makePool(t, method, 1);
      const ran = join(tempDir(t), 'ran');
      writeFileSync(ran, '');
      const g = gate(t);
      const long = await startAnnounced(t, pool, g);
      const names = pool.processes.map((p) => p.name);
      // The first task behind the running one is handed to the worker at once; the aborted
      // ones wait in the pool (aborting a handed-over task is the todo test below).
      const first = pool.applyAsync(mark, [ran, 'first']);
      const controller = new AbortController();
      const aborted = pool.applyAsync(mark, [ran, 'aborted'], { signal: controller.signal });
      const abortedToo = pool.apply(mark, [ran, 'aborted too'], { signal: controller.signal });
      const kept = pool.applyAsync(mark, [ran, 'kept']);
      const reason = new Error('changed my mind');
      controller.abort(reason);
      assert.equal(await rejection(aborted, 'the aborted task'), reason, 'rejected with the reason itself');
      assert.equal(await rejection(abortedToo, 'the other aborted task'), reason);
      assert.equal(aborted.ready(), true);
      assert.equal(aborted.successful(), false);
      assert.deepEqual(pool.processes.map((p) => p.name), names, 'no worker was stopped');
      g.set();
      assert.equal(await bounded(long.result, 'the long task'), 'done', 'the running task was not disturbed');
      assert.equal(await bounded(first, 'the first queued task'), 'first');
      assert.equal(await bounded(kept, 'the kept task'), 'kept');
      assert.deepEqual(readFileSync(ran, 'utf8').split('\n').filter(Boolean), ['first', 'kept'], 'the aborted tasks never ran');
      assert.deepEqual(pool.processes.map((p) => p.name), names);
    });

    test('aborting the task handed to the worker behind a running one: the tasks waiting in the pool still run', async (t) => {
      const pool = makePool(t, method, 1);
      const g = gate(t);
      const long = await startAnnounced(t, pool, g);
      const controller = new AbortController();
      const handedOver = pool.apply(square, [1], { signal: controller.signal });
      const kept = pool.apply(square, [2]);
      controller.abort('not needed');
      assert.equal(await rejection(handedOver, 'the aborted task'), 'not needed');
      g.set();
      assert.equal(await bounded(long.result, 'the long task'), 'done');
      assert.equal(await bounded(kept, 'the task waiting in the pool', 3000), 4);
    });

    test('a signal already aborted: rejects at once with its reason; nothing is sent', async (t) => {
      const pool = makePool(t, method, 1);
      assert.equal(await rejection(pool.apply(square, [2], { signal: AbortSignal.abort('too late') }), 'pre-aborted'), 'too late');
      await assert.rejects(
        bounded(pool.map(square, range(5), { signal: AbortSignal.abort(new RangeError('no map')) }), 'pre-aborted map'),
        (e: unknown) => e instanceof RangeError && e.message === 'no map',
      );
      assert.equal(await bounded(pool.apply(square, [4]), 'a task afterwards'), 16);
    });

    test('a signal aborted while the task runs: it rejects with the reason, its worker is stopped, the others complete', async (t) => {
      const pool = makePool(t, method, 2);
      const controller = new AbortController();
      const long = await startAnnounced(t, pool, null, { signal: controller.signal });
      const victim = pool.processes.find((p) => p.name === long.name)!;
      assert.ok(victim !== undefined, `worker ${long.name}`);
      const others = range(6).map((i) => pool.apply(slowSquare, [i, 50]));
      const reason = new Error('stop that');
      controller.abort(reason);
      assert.equal(await rejection(long.result, 'the aborted running task'), reason);
      assert.deepEqual(await bounded(Promise.all(others), 'the other tasks'), range(6).map((i) => i * i));
      assert.ok(await waitFor(() => victim.exitcode !== null, LONG), 'the worker was stopped');
      assert.ok(!pool.processes.includes(victim), 'and left pool.processes');
      if (method === 'spawn') assert.ok(await waitFor(() => isDead(victim.pid!), LONG), 'its process is gone');
    });

    test('timeout: a running task past it rejects with TimeoutError and its worker is stopped', async (t) => {
      const pool = makePool(t, method, 2);
      assert.deepEqual(await bounded(pool.map(square, [5, 6], 1), 'the workers are up'), [25, 36]);
      const long = await startAnnounced(t, pool, null, { timeout: 1000 });
      const victim = pool.processes.find((p) => p.name === long.name)!;
      assert.ok(victim !== undefined);
      assert.ok(isError(TimeoutError, 'ERR_TIMEOUT')(await rejection(long.result, 'the task past its timeout')));
      assert.ok(await waitFor(() => victim.exitcode !== null, LONG), 'the worker was stopped');
      assert.equal(await bounded(pool.apply(square, [7], { timeout: LONG }), 'a task within its timeout'), 49);
    });

    test('a worker stopped by an abort or a timeout is replaced: the pool keeps its size and goes on', async (t) => {
      const pool = makePool(t, method, 1);
      assert.equal(await bounded(pool.apply(square, [5]), 'the worker is up'), 25);
      const timedOut = await startAnnounced(t, pool, null, { timeout: 500 });
      assert.ok(await rejection(timedOut.result, 'the task past its timeout') instanceof TimeoutError);
      assert.equal(await bounded(pool.apply(square, [6]), 'a task after the timeout', 3000), 36);
      const controller = new AbortController();
      const aborted = await startAnnounced(t, pool, null, { signal: controller.signal });
      controller.abort('stop');
      assert.equal(await rejection(aborted.result, 'the aborted task'), 'stop');
      assert.deepEqual(await bounded(pool.map(square, range(4), 1), 'a map after the abort', 3000), [0, 1, 4, 9]);
      assert.ok(await waitFor(() => pool.processes.length === 1, 5000), `the pool has ${pool.processes.length} workers`);
    });

    test('timeout: a task still queued at its timeout is taken back (TimeoutError) without stopping any worker', async (t) => {
      const pool = makePool(t, method, 1);
      const ran = join(tempDir(t), 'ran');
      writeFileSync(ran, '');
      const g = gate(t);
      const long = await startAnnounced(t, pool, g);
      const names = pool.processes.map((p) => p.name);
      const queued = pool.apply(mark, [ran, 'queued'], { timeout: 200 });
      assert.ok(await rejection(queued, 'the queued task') instanceof TimeoutError);
      g.set();
      assert.equal(await bounded(long.result, 'the long task'), 'done');
      assert.deepEqual(pool.processes.map((p) => p.name), names, 'no worker was stopped');
      assert.equal(readFileSync(ran, 'utf8'), '', 'the timed-out task never ran');
    });

    test('map with a signal: aborting it mid-way rejects the map with the reason; every item is accounted for', async (t) => {
      const pool = makePool(t, method, 2);
      const controller = new AbortController();
      const reason = new Error('enough');
      const progress: Progress[] = [];
      const mapped = pool.starmap(slowSquare, range(200).map((i) => [i, 10] as [number, number]), {
        chunksize: 1,
        signal: controller.signal,
        onProgress: (p) => {
          progress.push(p);
          if (p.completed === 5) controller.abort(reason);
        },
      });
      assert.equal(await rejection(mapped, 'the aborted map'), reason);
      assert.ok(await waitFor(() => progress.at(-1)!.completed + progress.at(-1)!.failed === 200, LONG), `every item accounted for: ${JSON.stringify(progress.at(-1))}`);
      assert.ok(progress.at(-1)!.completed < 200, 'the map stopped early');
      // Whether the pool goes on after this depends on its stopped workers being replaced: the todo test above.
    });

    test('close() and join() after tasks aborted before they started', async (t) => {
      const pool = makePool(t, method, 1);
      const g = gate(t);
      const long = await startAnnounced(t, pool, g);
      const controller = new AbortController();
      const queued = range(3).map((i) => pool.apply(square, [i], { signal: controller.signal }).catch((e: unknown) => e));
      controller.abort('not needed');
      assert.deepEqual(await bounded(Promise.all(queued), 'the aborted tasks'), ['not needed', 'not needed', 'not needed']);
      pool.close();
      g.set();
      assert.equal(await bounded(long.result, 'the long task'), 'done');
      await bounded(pool.join(), 'join() after close()', 3000);
    });
  });
}
