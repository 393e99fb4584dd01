// Pool (W1), tests that need a pool of their own, on both start methods: imap ordering,
// initializers, maxtasksperchild; and ThreadPool / a context-bound Pool. (close/terminate and
// constructor options: pool-close.test.ts.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Pool, Queue, ThreadPool, Value, getContext } from 'multiprocessing-ts';
import { countInit, gated, initState, slowInit, square, tagged, whoAmI } from '../fixtures/pool-targets.ts';
import { waitFor } from '../helpers.ts';
import { FIXTURE, LONG, METHODS, PREFIX, assertWorker, bounded, collect, makePool, range } from './_pool.ts';

for (const method of METHODS) {
  describe(`Pool on '${method}': ordering, initializers, maxtasksperchild`, () => {
    test('imap yields in order, imapUnordered as results finish (item 1 finishes first, item 0 waits for it)', async (t) => {
      {
        const pool = makePool(t, method);
        const flag = new Value('i', 0);
        const done = new Queue<number>();
        // gated: item 0 waits for the flag; item 1 puts itself on `done` and returns.
        const results = collect(pool.imap(gated, [[0, flag, done], [1, flag, done]] as [number, Value<'i'>, Queue<number>][]));
        assert.equal(await done.get({ timeout: LONG }), 1, 'item 1 finished while item 0 waits');
        flag.value = 1;
        assert.deepEqual(await results, [0, 1], 'imap: still in order');
        assert.equal(await done.get({ timeout: LONG }), 0);
      }
      {
        const pool = makePool(t, method);
        const flag = new Value('i', 0);
        const done = new Queue<number>();
        const order: (number | string)[] = [];
        for await (const item of pool.imapUnordered(gated, [[0, flag, done], [1, flag, done]] as [number, Value<'i'>, Queue<number>][])) {
          order.push(item);
          flag.value = 1; // item 0 may finish only after this loop has seen a result
        }
        assert.deepEqual(order, [1, 0], 'imapUnordered: item 1 first');
      }
    });

    test('initializer(...initargs) runs once in each worker, before its tasks (a shared Value counts, a Queue names them)', async (t) => {
      const counter = new Value('i', 0);
      const names = new Queue<string>();
      const pool = makePool(t, method, { initializer: countInit, initargs: [counter, names] });
      const workers = pool.processes.map((p) => p.name).sort();
      const states = await pool.map(initState, range(12), 1);
      for (const state of states) {
        assert.equal(state.initializedAs, state.name, 'the initializer ran in the worker that runs the task');
        assert.equal(state.initCount, 1, 'once per worker');
      }
      assert.equal(counter.value, 2, 'two workers, two initializer calls');
      const seen = [await names.get({ timeout: LONG }), await names.get({ timeout: LONG })].sort();
      assert.deepEqual(seen, workers);

      const asyncCounter = new Value('i', 0);
      const slow = makePool(t, method, { initializer: { module: FIXTURE, name: 'slowInit' }, initargs: [asyncCounter] });
      const slowStates = await slow.map(initState, range(6), 1);
      assert.ok(slowStates.every((s) => s.initCount === 1 && s.initializedAs === s.name), 'an async initializer is awaited before tasks');
      assert.ok(asyncCounter.value >= 1 && asyncCounter.value <= 2, `async initializer calls: ${asyncCounter.value}`);
      void slowInit; // (referenced as { module, name } above)
    });

    test('maxtasksperchild: workers are replaced after that many tasks; every task is still done', async (t) => {
      const counter = new Value('i', 0);
      const names = new Queue<string>();
      const pool = makePool(t, method, { maxtasksperchild: 2, initializer: countInit, initargs: [counter, names] });
      const items = await bounded(pool.map(tagged, range(10), 1), 'the map');
      assert.deepEqual(items.map(([item]) => item), range(10), 'every task done, in order');
      const byName = new Map<string, number>();
      for (const [, name] of items) byName.set(name, (byName.get(name) ?? 0) + 1);
      assert.ok([...byName.values()].every((n) => n <= 2), `at most 2 tasks per worker: ${JSON.stringify([...byName])}`);
      assert.ok(byName.size >= 5, `10 tasks, 2 per worker → at least 5 workers, got ${byName.size}`);
      for (const name of byName.keys()) assert.match(name, new RegExp(`^${PREFIX[method]}-\\d+$`));
      const ids = new Set(items.map(([, , pid, tid]) => (method === 'spawn' ? pid : tid)));
      assert.equal(ids.size, byName.size, method === 'spawn' ? 'a new pid per worker' : 'a new thread per worker');
      assert.ok(counter.value >= byName.size, 'the initializer ran in every replacement');
      assert.ok(await waitFor(() => pool.processes.length === 2, LONG), `the pool keeps two workers (${pool.processes.length})`);
    });
  });
}

describe('ThreadPool and a context-bound Pool', () => {
  test("ThreadPool(2): workers are threads of this process named 'ThreadPoolWorker-N'", async (t) => {
    const pool = new ThreadPool(2);
    t.after(() => pool.terminate());
    assert.ok(pool instanceof Pool);
    const names = pool.processes.map((p) => p.name);
    assert.equal(names.length, 2);
    for (const name of names) assert.match(name, /^ThreadPoolWorker-\d+$/);
    const where = await pool.map(whoAmI, range(4), 1);
    for (const w of where) assertWorker(w, 'thread', names);
    assert.deepEqual(await pool.map(square, range(5)), [0, 1, 4, 9, 16]);
    const t2 = new ThreadPool({ processes: 1 });
    t.after(() => t2.terminate());
    assert.equal(t2.processes.length, 1);
  });

  test("getContext('thread').Pool and a Context object as the context option", async (t) => {
    const { Pool: ThreadBoundPool } = getContext('thread');
    const pool = new ThreadBoundPool(2);
    t.after(() => pool.terminate());
    assert.ok(pool instanceof Pool);
    assertWorker(await pool.apply(whoAmI, []), 'thread', pool.processes.map((p) => p.name));
    const spawnPool = new Pool({ processes: 1, context: getContext('spawn') });
    t.after(() => spawnPool.terminate());
    assertWorker(await spawnPool.apply(whoAmI, []), 'spawn', spawnPool.processes.map((p) => p.name));
  });
});
