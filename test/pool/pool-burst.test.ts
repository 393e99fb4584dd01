// Pool (W1) under a long loop of submissions, on both start methods: the pool takes results
// while the loop still runs (so few tasks stay alive), yet never runs a caller's callback, a
// map's onProgress or a Future's done-callback inside the caller's own call.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessPoolExecutor } from 'multiprocessing-ts';
import { square } from '../fixtures/pool-targets.ts';
import { METHODS, bounded, makePool, range } from './_pool.ts';

const N = 20_000;

for (const method of METHODS) {
  describe(`Pool on '${method}': a burst of ${N} submissions`, () => {
    test('every result is right; no applyAsync callback runs inside the loop that submits', async (t) => {
      const pool = makePool(t, method, { processes: 2 });
      await bounded(pool.apply(square, [1]), 'warm-up'); // workers up, so results come during the loop
      let inLoop = true;
      let calledInLoop = 0;
      let called = 0;
      const callback = (): void => {
        called++;
        if (inLoop) calledInLoop++;
      };
      const results = [];
      for (let i = 0; i < N; i++) results.push(pool.applyAsync(square, [i], { callback }));
      // Plain promises too (no callbacks: these may settle during the loop).
      const plain = range(N).map((i) => pool.apply(square, [i]));
      inLoop = false;
      assert.deepEqual(await bounded(Promise.all(results), 'the AsyncResults'), range(N).map((i) => i * i));
      assert.deepEqual(await bounded(Promise.all(plain), 'the promises'), range(N).map((i) => i * i));
      assert.equal(calledInLoop, 0, 'a callback ran inside applyAsync()');
      assert.equal(called, N);
    });

    test("maps' onProgress and Futures' done-callbacks never run inside the submitting call", async (t) => {
      const pool = makePool(t, method, { processes: 2 });
      await bounded(pool.apply(square, [1]), 'warm-up');
      let inCall = false;
      let reportsInCall = 0;
      const maps = [];
      for (let m = 0; m < 200; m++) {
        inCall = true;
        maps.push(pool.map(square, range(100), { chunksize: 1, onProgress: () => void (inCall && reportsInCall++) }));
        inCall = false;
      }
      for (const out of await bounded(Promise.all(maps), 'the maps')) assert.deepEqual(out, range(100).map((i) => i * i));
      assert.equal(reportsInCall, 0, 'onProgress ran inside map()');

      const executor = new ProcessPoolExecutor({ maxWorkers: 2, context: method });
      t.after(() => bounded(executor.shutdown(), 'shutdown'));
      assert.equal(await bounded(executor.submit(square, 1).result(), 'warm-up'), 1);
      let doneInCall = 0;
      const futures = [];
      for (let i = 0; i < 5000; i++) {
        inCall = true;
        const future = executor.submit(square, i);
        inCall = false;
        // (One already done calls it at once, as Python's add_done_callback does.)
        if (!future.done()) future.addDoneCallback(() => void (inCall && doneInCall++));
        futures.push(future);
      }
      const values = await bounded(Promise.all(futures.map((f) => f.result())), 'the futures');
      assert.deepEqual(values, range(5000).map((i) => i * i));
      assert.equal(doneInCall, 0, 'a done-callback ran inside submit()');
    });
  });
}
