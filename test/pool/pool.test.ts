// Pool (W1), the API on one pool per start method: apply/applyAsync and AsyncResult,
// map/mapAsync/starmap/imap with chunks, empty iterables, kwargs, progress, errors crossing,
// library objects as arguments, bad input, and (at compile time) the types. The tests that need
// a fresh pool (ordering, initializers, close/terminate…) are in pool-lifecycle.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { threadId } from 'node:worker_threads';
import {
  AsyncResult,
  Empty,
  Lock,
  Pool,
  Queue,
  SerializationError,
  TimeoutError,
  Value,
  ValueError,
  type Progress,
} from 'multiprocessing-ts';
import {
  add,
  addUnderLock,
  argsSeen,
  chunkPosition,
  concat,
  fail,
  failAsync,
  getNowaitFrom,
  identity,
  nothing,
  putTo,
  scaled,
  square,
  squareAsync,
  squareOrFail,
  tagged,
  throwString,
  tryLock,
  unsendable,
  waitForFlag,
  whoAmI,
  type Where,
} from '../fixtures/pool-targets.ts';
import { waitFor } from '../helpers.ts';
import { FIXTURE, LONG, METHODS, assertWorker, bounded, collect, isError, range } from './_pool.ts';

/** Compile-time checks only (never called): the TypeScript compile of this file fails if the types loosen. */
export async function typeChecks(pool: Pool): Promise<void> {
  const n: number = await pool.apply(square, [3]);
  const s: string = await pool.apply(concat, ['a', 1, true]);
  const v: void = await pool.apply(nothing, []);
  const r: AsyncResult<number> = pool.applyAsync(squareAsync, [2], { callback: (x: number) => void x });
  const m: number[] = await pool.map(square, [1, 2]);
  const sm: number[] = await pool.starmap(add, [[1, 2]]);
  const ma: AsyncResult<number[]> = pool.mapAsync(squareAsync, [1], { callback: (xs: number[]) => void xs });
  for await (const x of pool.imap(square, [1])) {
    const y: number = x;
    void y;
  }
  void [n, s, v, r, m, sm, ma];
  // @ts-expect-error square takes a number
  void pool.apply(square, ['3']);
  // @ts-expect-error add takes two arguments
  void pool.apply(add, [1]);
  // @ts-expect-error apply resolves to square's result, a number
  const wrong: string = await pool.apply(square, [3]);
  // @ts-expect-error map's items are square's parameter
  void pool.map(square, ['a']);
  // @ts-expect-error starmap's rows are add's parameters
  void pool.starmap(add, [[1, 'b']]);
  // @ts-expect-error a callback gets the result type
  void pool.applyAsync(square, [1], { callback: (x: string) => void x });
  void wrong;
}

for (const method of METHODS) {
  describe(`Pool on '${method}' (one pool for these tests)`, () => {
    let pool: Pool;
    before(() => {
      pool = new Pool({ processes: 2, context: method });
    });
    after(() => pool?.terminate());

    test('apply runs the function in a worker and resolves with its result (typed), sync and async functions', async () => {
      const names = pool.processes.map((p) => p.name);
      assert.equal(names.length, 2);
      const n: number = await pool.apply(square, [3]);
      assert.equal(n, 9);
      assert.equal(await pool.apply(concat, ['a', 2, false]), 'a-2-false', 'arguments in order');
      assert.equal(await pool.apply(squareAsync, [7]), 49, "an async function's value, not its Promise");
      assert.equal(await pool.apply(nothing, []), undefined, 'no return value (None) → undefined');
      assert.deepEqual(await pool.apply(argsSeen, []), { count: 0, args: [] }, 'no args: none are passed');
      assert.deepEqual(await pool.apply(argsSeen), { count: 0, args: [] }, 'args omitted');
      assertWorker(await pool.apply(whoAmI, []), method, names);
      assert.equal(await pool.apply({ module: FIXTURE, name: 'square' }, [4]), 16, 'an explicit { module, name } reference');
      const payload = { a: [1, 'two', 3n], when: new Date(0), map: new Map([[1, new Set(['x'])]]) };
      assert.deepEqual(await pool.apply(identity, [payload]), payload, 'structured data both ways');
    });

    test('applyAsync: callback and errorCallback run in this process (pid, threadId) with the value / the error', async () => {
      const names = pool.processes.map((p) => p.name);
      const calls: { value: Where; pid: number; threadId: number }[] = [];
      const r = pool.applyAsync(whoAmI, [], { callback: (value) => calls.push({ value, pid: process.pid, threadId }) });
      const value = await bounded(r, 'applyAsync');
      assert.equal(calls.length, 1, 'the callback ran once, before the result was awaited');
      assert.deepEqual(calls[0].value, value);
      assert.equal(calls[0].pid, process.pid);
      assert.equal(calls[0].threadId, threadId);
      assertWorker(value, method, names);

      const errors: { error: unknown; pid: number; threadId: number }[] = [];
      let called = false;
      const bad = pool.applyAsync(fail, ['in applyAsync'], {
        callback: () => {
          called = true;
        },
        errorCallback: (error) => errors.push({ error, pid: process.pid, threadId }),
      });
      await bounded(bad.wait(), 'the failing task');
      assert.equal(called, false, 'no callback for a failed task');
      assert.equal(errors.length, 1);
      assert.equal((errors[0].error as Error).message, 'in applyAsync');
      assert.equal(errors[0].pid, process.pid);
      assert.equal(errors[0].threadId, threadId);
      await assert.rejects(bad.get(), { name: 'TaskError', message: 'in applyAsync' });
      assert.equal(errors.length, 1, 'get() does not call errorCallback again');
    });

    test('AsyncResult: get(timeout) → TimeoutError while pending, ready, successful (ValueError before ready), wait(timeout), await', async () => {
      const flag = new Value('i', 0);
      const r = pool.applyAsync(waitForFlag, [flag, 'released']);
      assert.ok(r instanceof AsyncResult);
      await assert.rejects(r.get(30), isError(TimeoutError, 'ERR_TIMEOUT'));
      assert.equal(r.ready(), false);
      assert.throws(() => r.successful(), isError(ValueError, 'ERR_NOT_READY'));
      assert.equal(await r.wait(30), undefined, 'wait(timeout) gives up without an error');
      assert.equal(r.ready(), false, 'the task goes on after a timed-out get/wait');
      flag.value = 1;
      assert.equal(await bounded(r.get(), 'get()'), 'released');
      assert.equal(r.ready(), true);
      assert.equal(r.successful(), true);
      assert.equal(await r.get(0), 'released', 'get again: the same value, at once');
      assert.equal(await r, 'released', 'an AsyncResult is awaitable');
      await r.wait();

      const bad = pool.applyAsync(failAsync, ['async failure']);
      await bounded(bad.wait(), 'wait() on a failing task');
      assert.equal(bad.ready(), true);
      assert.equal(bad.successful(), false);
      await assert.rejects(bad.get(), (e: unknown) => e instanceof TypeError && e.message === 'async failure');
      await assert.rejects(async () => await bad, TypeError);
    });

    test('map: results in order; default chunksize (Python: ⌈n / (4 × workers)⌉), a number, { chunksize }', async () => {
      assert.deepEqual(await pool.map(square, range(100)), range(100).map((x) => x * x));
      // chunkPosition gives an item's place within its chunk: the chunks' shape.
      assert.deepEqual(await pool.map(chunkPosition, range(10)), [1, 2, 1, 2, 1, 2, 1, 2, 1, 2], 'default: 10 items / (4 × 2) → 2');
      assert.deepEqual(await pool.map(chunkPosition, range(10), 4), [1, 2, 3, 4, 1, 2, 3, 4, 1, 2], 'map(fn, items, 4)');
      assert.deepEqual(await pool.map(chunkPosition, range(7), { chunksize: 3 }), [1, 2, 3, 1, 2, 3, 1], 'map(fn, items, { chunksize: 3 })');
      assert.deepEqual(await pool.map(chunkPosition, range(3), 50), [1, 2, 3], 'a chunksize above the item count: one chunk');
      assert.deepEqual(await pool.map(chunkPosition, range(5), 1), [1, 1, 1, 1, 1]);
      const items = await pool.map(tagged, range(10), 5);
      for (const chunk of [items.slice(0, 5), items.slice(5)]) {
        assert.equal(new Set(chunk.map(([, name]) => name)).size, 1, 'a chunk runs in one worker');
      }
      assert.deepEqual(items.map(([item]) => item), range(10));
      assert.deepEqual(await pool.map(squareAsync, new Set([3, 4])), [9, 16], 'any iterable; async functions awaited');
      await assert.rejects(pool.map(squareOrFail, range(6)), { name: 'TaskError', message: 'item 3 is bad' });
    });

    test('mapAsync: callback gets the whole list in this process; errorCallback the first error', async () => {
      const got: number[][] = [];
      const r = pool.mapAsync(square, range(10), { callback: (values) => got.push(values) });
      assert.deepEqual(await bounded(r.get(), 'mapAsync'), range(10).map((x) => x * x));
      assert.deepEqual(got, [range(10).map((x) => x * x)], 'callback once, with the list');
      assert.equal(r.successful(), true);
      const errors: unknown[] = [];
      const bad = pool.mapAsync(squareOrFail, range(8), { chunksize: 1, callback: () => assert.fail('no callback'), errorCallback: (e) => errors.push(e) });
      await bounded(bad.wait(), 'the failing mapAsync');
      assert.equal(bad.successful(), false);
      assert.equal(errors.length, 1, 'one errorCallback for the map');
      assert.equal((errors[0] as Error).message, 'item 3 is bad');
      assert.deepEqual(await pool.mapAsync(square, [5], 1), [25], 'mapAsync(fn, items, chunksize)');
    });

    test('starmap and starmapAsync: fn(...row) for every row, in order', async () => {
      assert.deepEqual(await pool.starmap(add, [[1, 2], [3, 4], [5, 6]]), [3, 7, 11]);
      assert.deepEqual(await pool.starmap(concat, [['x', 1, true], ['y', 2, false]], 1), ['x-1-true', 'y-2-false']);
      const rows = range(20).map((i): [number, number] => [i, 100]);
      assert.deepEqual(await pool.starmap(add, rows, { chunksize: 3 }), range(20).map((i) => i + 100));
      const got: number[][] = [];
      const r = pool.starmapAsync(add, [[1, 1], [2, 2]], { callback: (values) => got.push(values) });
      assert.deepEqual(await bounded(r, 'starmapAsync'), [2, 4]);
      assert.deepEqual(got, [[2, 4]]);
      async function* asyncRows(): AsyncGenerator<[number, number]> {
        yield [10, 1];
        yield [20, 2];
      }
      assert.deepEqual(await pool.starmap(add, asyncRows()), [11, 22], 'rows from an async generator');
    });

    test('imap/imapUnordered over arrays, generators and async generators, with chunksize; leaving early stops reading', async () => {
      const squares = range(30).map((x) => x * x);
      assert.deepEqual(await collect(pool.imap(square, range(30))), squares, 'array');
      assert.deepEqual(await collect(pool.imap(chunkPosition, range(4))), [1, 1, 1, 1], 'imap: chunksize 1 by default');
      assert.deepEqual(await collect(pool.imap(chunkPosition, range(5), 2)), [1, 2, 1, 2, 1], 'imap(fn, items, 2)');
      assert.deepEqual(await collect(pool.imap(chunkPosition, range(5), { chunksize: 3 })), [1, 2, 3, 1, 2]);
      function* generate(n: number): Generator<number> {
        for (let i = 0; i < n; i++) yield i;
      }
      async function* generateAsync(n: number): AsyncGenerator<number> {
        for (let i = 0; i < n; i++) {
          await new Promise((resolve) => setImmediate(resolve));
          yield i;
        }
      }
      assert.deepEqual(await collect(pool.imap(square, generate(30), 4)), squares, 'generator');
      assert.deepEqual(await collect(pool.imap(square, generateAsync(30))), squares, 'async generator');
      const unordered = await collect(pool.imapUnordered(square, generateAsync(30), 3));
      assert.deepEqual([...unordered].sort((a, b) => a - b), squares, 'imapUnordered: each result once');
      assert.deepEqual([...(await collect(pool.imapUnordered(square, range(30))))].sort((a, b) => a - b), squares);
      assert.deepEqual(await pool.map(square, generate(5)), [0, 1, 4, 9, 16], 'map over a generator');
      assert.deepEqual(await pool.map(square, generateAsync(5)), [0, 1, 4, 9, 16], 'map over an async generator');

      let finished = false;
      function* endless(): Generator<number> {
        try {
          for (let i = 0; ; i++) yield i;
        } finally {
          finished = true;
        }
      }
      const first: number[] = [];
      for await (const x of pool.imap(square, endless())) {
        first.push(x);
        if (first.length === 10) break;
      }
      assert.deepEqual(first, squares.slice(0, 10), 'an endless generator, read lazily');
      assert.equal(finished, true, 'leaving the loop closes the generator');
      assert.equal(await pool.apply(square, [12]), 144, 'the pool goes on');
      await assert.rejects(collect(pool.imap(squareOrFail, range(6))), { name: 'TaskError', message: 'item 3 is bad' });
    });

    test('empty iterables: [] from map/starmap/mapAsync, nothing from imap/imapUnordered', async () => {
      assert.deepEqual(await pool.map(square, []), []);
      assert.deepEqual(await pool.starmap(add, []), []);
      const got: number[][] = [];
      assert.deepEqual(await pool.mapAsync(square, [], { callback: (values) => got.push(values) }), []);
      assert.deepEqual(got, [[]], 'the callback runs for an empty map too');
      assert.deepEqual(await pool.starmapAsync(add, []), []);
      assert.deepEqual(await collect(pool.imap(square, [])), []);
      assert.deepEqual(await collect(pool.imapUnordered(square, (function* () {})())), []);
      assert.deepEqual(await pool.map(square, (async function* () {})()), []);
    });

    test('kwargs: passed as one final options argument (Python kwds)', async () => {
      assert.equal(await pool.apply(scaled, [2], { kwargs: { scale: 3, offset: 1 } }), 7);
      assert.equal(await pool.apply(scaled, [2]), 2);
      assert.equal(await pool.applyAsync(scaled, [5], { kwargs: { scale: 10 } }), 50);
      assert.deepEqual(await pool.apply(argsSeen, [1, 'a'], { kwargs: { k: true } }), { count: 3, args: [1, 'a', { k: true }] });
    });

    test('onProgress: completed/failed/total after each chunk; total null while an iterable is being read', async () => {
      const reports: Progress[] = [];
      assert.deepEqual(await pool.map(square, range(10), { chunksize: 3, onProgress: (p) => reports.push(p) }), range(10).map((x) => x * x));
      assert.equal(reports.length, 4, 'one report per chunk (3 + 3 + 3 + 1)');
      assert.ok(reports.every((p) => p.total === 10 && p.failed === 0));
      assert.deepEqual(reports.map((p) => p.completed).sort((a, b) => a - b), reports.map((p) => p.completed), 'completed only grows');
      assert.deepEqual(reports.at(-1), { completed: 10, failed: 0, total: 10 });
      assert.ok(
        reports.every((p, i) => [1, 3].includes(p.completed - (i === 0 ? 0 : reports[i - 1].completed))),
        `steps of a chunk's size: ${reports.map((p) => p.completed).join(', ')}`,
      );

      // Failures: the failing chunk counts as failed; so do the chunks taken back after it.
      const failing: Progress[] = [];
      await assert.rejects(pool.map(squareOrFail, range(6), { chunksize: 1, onProgress: (p) => failing.push(p) }), /item 3 is bad/);
      assert.ok(await waitFor(() => { const last = failing.at(-1); return last !== undefined && last.completed + last.failed === 6; }, LONG), JSON.stringify(failing));
      const last = failing.at(-1)!;
      assert.equal(last.total, 6);
      assert.ok(last.failed >= 1 && last.completed <= 5, JSON.stringify(last));

    });

    test('imap onProgress: total is null until the iterable ends; the last report has the total', async () => {
      // The source waits until the first report, so that report cannot know the total yet.
      const lazy: Progress[] = [];
      let firstReport!: () => void;
      const reported = new Promise<void>((resolve) => {
        firstReport = resolve;
      });
      async function* twoItems(): AsyncGenerator<number> {
        yield 1;
        await bounded(reported, 'the first progress report');
        yield 2;
      }
      const out = await collect(pool.imap(square, twoItems(), {
        onProgress: (p) => {
          lazy.push(p);
          firstReport();
        },
      }));
      assert.deepEqual(out, [1, 4]);
      assert.deepEqual(lazy[0], { completed: 1, failed: 0, total: null }, 'the first report: the end not read yet');
      assert.deepEqual(lazy.at(-1), { completed: 2, failed: 0, total: 2 }, `the last report has the total: ${JSON.stringify(lazy)}`);
    });

    test("errors cross: name, message, code and own props, cause, the worker's stack; the worker survives", async () => {
      const pids = pool.processes.map((p) => p.pid);
      const error = await pool.apply(fail, ['boom']).then(() => assert.fail('resolved'), (e: unknown) => e as Error & { code: string; detail: number });
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'TaskError');
      assert.equal(error.message, 'boom');
      assert.equal(error.code, 'E_TASK');
      assert.equal(error.detail, 42);
      assert.ok(error.cause instanceof RangeError, 'the cause, as a RangeError');
      assert.equal((error.cause as Error).message, 'the cause (test)');
      assert.match(String(error.stack), /pool-targets\.ts/, "the worker's stack names the fixture");
      assert.match(String(error.stack), /at fail /);
      await assert.rejects(pool.apply(failAsync, ['async']), (e: unknown) => e instanceof TypeError && e.message === 'async' && /failAsync/.test(String(e.stack)));
      await assert.rejects(pool.apply(throwString, ['not an Error']), (e: unknown) => e === 'not an Error');
      await assert.rejects(pool.apply(unsendable, []), { name: 'SerializationError', code: 'ERR_SERIALIZATION' }, 'a result that cannot cross');
      await assert.rejects(pool.apply(identity, [() => 1]), isError(SerializationError, 'ERR_SERIALIZATION'), 'an argument that cannot cross');
      assert.equal(await pool.apply(square, [6]), 36);
      assert.deepEqual(pool.processes.map((p) => p.pid), pids, 'no worker was replaced');
    });

    test("the library's own error classes thrown in a task keep their class (instanceof) in the caller", async () => {
      await assert.rejects(pool.apply(getNowaitFrom, [new Queue()]), { name: 'Empty', code: 'ERR_QUEUE_EMPTY' });
      await assert.rejects(pool.apply(getNowaitFrom, [new Queue()]), isError(Empty, 'ERR_QUEUE_EMPTY'));
      await assert.rejects(pool.apply(unsendable, []), isError(SerializationError, 'ERR_SERIALIZATION'));
    });

    test('library objects as arguments: a Lock, a Value and a Queue work in the task', async () => {
      const lock = new Lock();
      assert.equal(lock.acquireSync(), true);
      assert.equal(await pool.apply(tryLock, [lock]), false, 'held here: the task cannot take it');
      lock.release();
      assert.equal(await pool.apply(tryLock, [lock]), true, 'released here: the task takes it');
      const value = new Value('i', 0, { lock: false });
      const results = await Promise.all(range(4).map(() => pool.apply(addUnderLock, [lock, value, 25])));
      assert.equal(value.value, 100, 'no update lost under the shared Lock');
      assert.ok(results.every((n) => n >= 25 && n <= 100));
      const q = new Queue<string>();
      const names = pool.processes.map((p) => p.name);
      const name = await pool.apply(putTo, [q, 'through the queue']);
      assert.ok(names.includes(name));
      assert.equal(await q.get({ timeout: LONG }), 'through the queue');
    });

    test('bad input throws at once and leaves the pool working', async () => {
      const p = pool as unknown as Record<string, (...args: unknown[]) => unknown>;
      for (const bad of [42, 'square', {}, null]) {
        assert.throws(() => p.applyAsync(bad, []), TypeError, `target ${String(bad)}`);
        assert.throws(() => p.map(bad, [1]), TypeError);
      }
      const local = (x: number): number => x;
      assert.throws(() => pool.applyAsync(local, [1]), isError(SerializationError, 'ERR_TARGET_NOT_EXPORTED'));
      await assert.rejects(async () => pool.apply(local, [1]), isError(SerializationError, 'ERR_TARGET_NOT_EXPORTED'));
      assert.throws(() => pool.map(local, [1]), isError(SerializationError, 'ERR_TARGET_NOT_EXPORTED'));
      assert.throws(() => p.applyAsync(square, 3), TypeError, 'args not an array');
      assert.throws(() => p.applyAsync(square, 'ab'), TypeError, 'a string is no args array');
      assert.throws(() => p.map(square, 5), TypeError, 'not iterable');
      assert.throws(() => p.imap(square, null), TypeError);
      for (const chunksize of [0, -1, 1.5, Number.NaN, '2']) {
        assert.throws(() => p.map(square, [1], chunksize), /chunksize/, `chunksize ${String(chunksize)}`);
        assert.throws(() => p.imap(square, [1], { chunksize }), /chunksize/);
        assert.throws(() => p.mapAsync(square, [1], { chunksize }), /chunksize/);
      }
      assert.equal(await pool.apply(square, [8]), 64, 'the pool still works');
    });
  });
}
