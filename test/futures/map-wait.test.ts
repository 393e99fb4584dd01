// ProcessPoolExecutor and ThreadPoolExecutor (W2) on both start methods: map (in order, zip of
// several iterables, async iterables, chunksize, timeout), asCompleted (completion order,
// timeout) and wait (FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED, timeout).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_COMPLETED, Barrier, FIRST_COMPLETED, FIRST_EXCEPTION, Future, TimeoutError, ValueError, asCompleted, wait } from 'multiprocessing-ts';
import { add, fail, gated, meet, slowSquare, square, squareOrFail, turnStamp } from '../fixtures/crash-targets.ts';
import {
  LONG,
  METHODS,
  bounded,
  collect,
  collectUntilError,
  executorName,
  range,
  setup,
  started,
} from './_util.ts';

for (const method of METHODS) {
  const kind = executorName(method);

  describe(`${kind}: map, asCompleted, wait`, () => {
    test('map: results in order; several iterables are zipped and the shortest wins; sync and async iterables', async (t) => {
      const { ex } = setup(t, method, { maxWorkers: 2 });
      assert.deepEqual(await collect(ex.map(square, range(30))), range(30).map((x) => x * x));
      assert.deepEqual(await collect(ex.map(add, [1, 2, 3], [10, 20, 30, 40, 50])), [11, 22, 33], 'zip: the shortest wins');
      assert.deepEqual(await collect(ex.map(add, [1, 2, 3, 4], [10, 20])), [11, 22]);
      async function* tens(): AsyncGenerator<number> {
        for (let i = 1; i <= 4; i++) {
          await null;
          yield i * 10;
        }
      }
      assert.deepEqual(await collect(ex.map(add, tens(), [1, 2, 3, 4, 5])), [11, 22, 33, 44], 'an async iterable with a sync one');
      function* endless(): Generator<number> {
        for (let i = 0; ; i++) yield i;
      }
      assert.deepEqual(await collect(ex.map(add, endless(), [5, 5, 5])), [5, 6, 7], 'an endless iterable zipped with a short one');
      assert.deepEqual(await collect(ex.map(square, [])), []);
    });

    test("map: a failing item ends the iteration with its error, after the results before it", async (t) => {
      const { ex } = setup(t, method, { maxWorkers: 2 });
      const { items, error } = await collectUntilError(ex.map(squareOrFail, [1, 2, -3, 4]));
      assert.deepEqual(items, [1, 4]);
      assert.equal((error as Error)?.name, 'TaskFailure', String(error));
      assert.equal((error as Error).message, 'negative: -3');
      assert.deepEqual(await collect(ex.map(square, [5])), [25], 'the executor goes on');
    });

    test('map: chunksize puts that many items in one task; the default is one item per task', async (t) => {
      const { ex } = setup(t, method, { maxWorkers: 2 });
      // Items of one chunk run in one synchronous stretch of one worker: the same (worker, turn).
      const groupsOf = (stamps: [string, number, number][]): number[][] => {
        const groups = new Map<string, number[]>();
        for (const [who, turn, i] of stamps) {
          const key = `${who}/${turn}`;
          if (!groups.has(key)) groups.set(key, []);
          groups.get(key)!.push(i);
        }
        return [...groups.values()].sort((a, b) => a[0] - b[0]);
      };
      const chunked = await collect(ex.map(turnStamp, range(20), { chunksize: 5 }));
      assert.deepEqual(chunked.map((s) => s[2]), range(20), 'in order');
      assert.deepEqual(groupsOf(chunked), [range(5), range(5).map((i) => i + 5), range(5).map((i) => i + 10), range(5).map((i) => i + 15)]);
      const single = await collect(ex.map(turnStamp, range(8)));
      assert.deepEqual(groupsOf(single), range(8).map((i) => [i]), 'default chunksize 1');
      const lastShort = await collect(ex.map(turnStamp, range(7), { chunksize: 3 }));
      assert.deepEqual(groupsOf(lastShort), [[0, 1, 2], [3, 4, 5], [6]]);
      assert.throws(() => ex.map(square, [1], { chunksize: 0 }), ValueError, 'chunksize < 1 is a ValueError, as in Python');
      assert.throws(() => ex.map(square, [1], { chunksize: 1.5 }), ValueError, 'chunksize < 1 is a ValueError, as in Python');
    });

    test('map timeout: results not ready in time give TimeoutError; the executor works on', async (t) => {
      const { ex } = setup(t, method, { maxWorkers: 2 });
      assert.equal(await ex.submit(square, 1).result(LONG), 1, 'workers up');
      const { items, error } = await collectUntilError(ex.map(slowSquare, [1, 2, 3], [0, 0, 30_000], { timeout: 1500 }));
      assert.ok(error instanceof TimeoutError, `expected TimeoutError, got ${String(error)}`);
      assert.deepEqual(items, [1, 4].slice(0, items.length), 'only results in order before it');
      assert.deepEqual(await collect(ex.map(square, [2, 3], { timeout: LONG })), [4, 9], 'a map within its timeout');
      assert.equal(await ex.submit(square, 6).result(LONG), 36, 'the executor goes on');
    });

    test('a map timeout that stopped a worker leaves the executor its workers (maxWorkers 1)', async (t) => {
      const { ex } = setup(t, method, { maxWorkers: 1 });
      assert.equal(await ex.submit(square, 1).result(LONG), 1, 'the worker is up');
      const { error } = await collectUntilError(ex.map(slowSquare, [1], [30_000], { timeout: 500 }));
      assert.ok(error instanceof TimeoutError, String(error));
      assert.equal(await ex.submit(square, 6).result(LONG), 36, 'a call after the timeout (a replacement thread may take seconds to start on a loaded machine)');
    });

    test('asCompleted: futures come in the order they finish, those already done first', async (t) => {
      // Four workers: three held calls, each on its own worker, and one quick call on the fourth.
      const { ex, gate } = setup(t, method, { maxWorkers: 4 });
      const gates = [gate(), gate(), gate()];
      const futures = gates.map((g, i) => ex.submit(gated, g, i));
      const already = ex.submit(square, 4);
      await already.result(LONG);
      for (const f of futures) await started(f, 'a gated call');
      const it = asCompleted([futures[0], futures[1], already, futures[2]]);
      // The IteratorResult, not its Future: a promise resolved with a Future (a thenable) would
      // take on the Future's result.
      const next = (): Promise<IteratorResult<Future<unknown>>> => bounded(it.next(), 'asCompleted next()');
      assert.equal((await next()).value, already);
      for (const i of [2, 0, 1]) {
        gates[i].set();
        const f = (await next()).value;
        assert.equal(f, futures[i], `future ${i} next`);
        assert.equal(await f!.result(LONG), i);
      }
      assert.equal((await next()).done, true);
      const seen: unknown[] = [];
      // TypeScript types a for-await variable as Awaited<Future<T>>, i.e. T (a Future is a thenable),
      // but asCompleted yields the Futures themselves: hence the casts (a typing problem, reported).
      for await (const f of asCompleted([ex.submit(square, 2), ex.submit(square, 3)])) seen.push(await (f as unknown as Future<number>).result(LONG));
      assert.deepEqual(seen.sort(), [4, 9], 'for await over asCompleted');
    });

    test('long calls after quick ones run on every idle worker, not queued behind one another', async (t) => {
      const { ex } = setup(t, method, { maxWorkers: 3 });
      assert.deepEqual(await collect(ex.map(square, range(12))), range(12).map((x) => x * x), 'quick calls first');
      // Three calls that can only finish if three workers run them at the same time.
      const barrier = new Barrier(3);
      const outcomes = await Promise.allSettled(range(3).map(() => ex.submit(meet, barrier, 5000).result(LONG)));
      assert.deepEqual(
        outcomes.map((o) => (o.status === 'fulfilled' ? 'met' : (o.reason as Error).name)),
        ['met', 'met', 'met'],
        'the three calls ran at once',
      );
    });

    test('asCompleted timeout: the finished futures, then TimeoutError', async (t) => {
      const { ex, gate } = setup(t, method, { maxWorkers: 2 });
      const quick = ex.submit(square, 5);
      await quick.result(LONG);
      const slow = ex.submit(gated, gate(), 'never in time');
      const got: Future<unknown>[] = [];
      let error: unknown;
      try {
        for await (const f of asCompleted([quick, slow], { timeout: 300 })) got.push(f as unknown as Future<unknown>);
      } catch (e) {
        error = e;
      }
      assert.deepEqual(got, [quick]);
      assert.ok(error instanceof TimeoutError, String(error));
      assert.equal(slow.done(), false, 'the slow call goes on');
    });

    test('wait: FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED, and a timeout', async (t) => {
      const { ex, gate } = setup(t, method, { maxWorkers: 3 });
      const g = gate();
      const a = ex.submit(gated, g, 'a');
      const b = ex.submit(gated, g, 'b');
      await started(a, 'a');
      await started(b, 'b');

      const timedOut = await bounded(wait([a, b], { timeout: 100 }), 'wait with a timeout');
      assert.deepEqual([timedOut.done.size, timedOut.notDone.size], [0, 2], 'nothing done by the timeout: no error');

      const quick = ex.submit(square, 3);
      const first = await bounded(wait([a, b, quick], { returnWhen: FIRST_COMPLETED }), 'FIRST_COMPLETED');
      assert.deepEqual([...first.done], [quick]);
      assert.deepEqual(new Set(first.notDone), new Set([a, b]));

      const failing = ex.submit(fail, 'first exception');
      const exc = await bounded(wait([a, b, quick, failing], { returnWhen: FIRST_EXCEPTION }), 'FIRST_EXCEPTION');
      assert.ok(exc.done.has(failing), 'the failed call is done');
      assert.ok(exc.done.has(quick));
      assert.deepEqual(new Set(exc.notDone), new Set([a, b]), 'returned without waiting for the others');

      const pending = wait([a, b, quick], { returnWhen: FIRST_EXCEPTION });
      g.set();
      const noExc = await bounded(pending, 'FIRST_EXCEPTION without an exception');
      assert.equal(noExc.done.size, 3, 'FIRST_EXCEPTION without one waits for all');
      assert.equal(noExc.notDone.size, 0);

      const all = await bounded(wait([a, b, quick, failing], { returnWhen: ALL_COMPLETED }), 'ALL_COMPLETED');
      assert.equal(all.done.size, 4);
      const byDefault = await bounded(wait([ex.submit(square, 8), ex.submit(slowSquare, 2, 50)]), 'wait()');
      assert.equal(byDefault.done.size, 2, 'ALL_COMPLETED by default');
      await assert.rejects(wait([a], { returnWhen: 'SOMETIME' as never }), TypeError);
    });
  });
}
