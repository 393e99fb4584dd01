// W4, beyond Python, on both start methods: imap's backpressure over huge, endless and async
// iterables (the source is pulled only a bounded distance ahead of the consumer, and not at all
// once the consumer left), async generators as sources, and progress reports.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Progress } from 'multiprocessing-ts';
import { square, squareOrFail } from '../fixtures/crash-targets.ts';
import { sleep, waitFor } from '../helpers.ts';
import { LONG, METHODS, bounded, collect, collectUntilError, makePool, range, rejection } from '../futures/_util.ts';

/** Counts what a consumer pulls from an endless generator; `closed` once it was returned. */
function counted(limit = 10_000_000): { source: Generator<number>; pulled: () => number; closed: () => boolean } {
  let pulled = 0;
  let closed = false;
  function* source(): Generator<number> {
    try {
      for (let i = 0; i < limit; i++) {
        pulled++;
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  return { source: source(), pulled: () => pulled, closed: () => closed };
}

/** Waits until `value()` stops changing for `quietMs` (bounded): what a producer does while nobody consumes. */
async function settles(value: () => number, quietMs = 300): Promise<number> {
  const end = Date.now() + LONG;
  let last = value();
  let since = Date.now();
  while (Date.now() < end) {
    await sleep(25);
    const now = value();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return now;
    }
  }
  return value();
}

/** How far ahead of its consumer imap may read, at most, in items (generous: 1024 chunks). */
const AHEAD_LIMIT_CHUNKS = 1024;

function assertMonotonic(reports: Progress[], what: string): void {
  for (let i = 1; i < reports.length; i++) {
    const [a, b] = [reports[i - 1], reports[i]];
    assert.ok(b.completed >= a.completed && b.failed >= a.failed, `${what}: progress went back at report ${i}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
    assert.ok(b.completed + b.failed > a.completed + a.failed, `${what}: report ${i} reports no new item`);
  }
}

for (const method of METHODS) {
  describe(`Pool on '${method}': imap backpressure, async iterables, progress`, () => {
    test('imap over a 10M-item generator pulls only a bounded distance ahead of the consumer', async (t) => {
      const pool = makePool(t, method, 2);
      for (const chunksize of [1, 10]) {
        const { source, pulled, closed } = counted();
        const it = pool.imap(square, source, { chunksize });
        let taken = 0;
        const take = async (n: number): Promise<void> => {
          for (let i = 0; i < n; i++) {
            const next = await bounded(it.next(), 'imap next()');
            assert.equal(next.done, false);
            assert.equal(next.value, taken * taken, `item ${taken} in order`);
            taken++;
          }
        };
        await take(20);
        let ahead = (await settles(pulled)) - taken;
        assert.ok(ahead <= AHEAD_LIMIT_CHUNKS * chunksize, `chunksize ${chunksize}: pulled ${ahead} items ahead of the consumer`);
        await take(600);
        ahead = (await settles(pulled)) - taken;
        assert.ok(ahead <= AHEAD_LIMIT_CHUNKS * chunksize, `chunksize ${chunksize}: pulled ${ahead} items ahead after 620 taken`);
        assert.ok(pulled() >= taken);
        await bounded(it.return(undefined), 'imap return()');
        assert.equal(closed(), true, 'leaving closes the source');
      }
    });

    test('breaking out of imap: the source is closed, no further pulls, and the pool takes new work', async (t) => {
      const pool = makePool(t, method, 2);
      for (const unordered of [false, true]) {
        const { source, pulled, closed } = counted();
        const seen: number[] = [];
        const loop = async (): Promise<void> => {
          const it = unordered ? pool.imapUnordered(square, source) : pool.imap(square, source);
          for await (const x of it) {
            seen.push(x);
            if (seen.length === 50) break;
          }
        };
        await bounded(loop(), 'the imap loop');
        assert.equal(seen.length, 50);
        if (!unordered) assert.deepEqual(seen, range(50).map((i) => i * i));
        assert.equal(closed(), true, 'the generator was returned');
        const atBreak = pulled();
        await sleep(300);
        assert.equal(pulled(), atBreak, 'nothing pulled after the break');
        assert.ok(atBreak - 50 <= AHEAD_LIMIT_CHUNKS, `pulled ${atBreak} for 50 taken`);
        assert.deepEqual(await bounded(pool.map(square, range(10), 1), 'map afterwards'), range(10).map((x) => x * x));
        assert.equal(await bounded(pool.apply(square, [12]), 'apply afterwards'), 144);
      }
    });

    test('async generators as sources: imap in order, imapUnordered all, map; an endless one is pulled lazily', async (t) => {
      const pool = makePool(t, method, 2);
      async function* numbers(n: number): AsyncGenerator<number> {
        for (let i = 0; i < n; i++) {
          await sleep(i % 10 === 0 ? 1 : 0);
          yield i;
        }
      }
      assert.deepEqual(await collect(pool.imap(square, numbers(60), { chunksize: 4 })), range(60).map((x) => x * x));
      const unordered = await collect(pool.imapUnordered(square, numbers(60)));
      assert.deepEqual(unordered.sort((a, b) => a - b), range(60).map((x) => x * x));
      assert.deepEqual(await bounded(pool.map(square, numbers(30)), 'map over an async generator'), range(30).map((x) => x * x));

      let pulled = 0;
      let closed = false;
      async function* endless(): AsyncGenerator<number> {
        try {
          for (let i = 0; ; i++) {
            pulled++;
            await null;
            yield i;
          }
        } finally {
          closed = true;
        }
      }
      const it = pool.imap(square, endless());
      for (let i = 0; i < 30; i++) assert.equal((await bounded(it.next(), 'imap next()')).value, i * i);
      const ahead = (await settles(() => pulled)) - 30;
      assert.ok(ahead <= AHEAD_LIMIT_CHUNKS, `pulled ${ahead} ahead of the consumer`);
      await bounded(it.return(undefined), 'imap return()');
      assert.equal(closed, true);
    });

    test('async generator source that throws: imap rejects with its error after the items before it', async (t) => {
      const pool = makePool(t, method, 2);
      async function* broken(): AsyncGenerator<number> {
        for (let i = 0; i < 5; i++) yield i;
        throw new RangeError('source broke');
      }
      const { items, error } = await collectUntilError(pool.imap(square, broken()));
      assert.ok(error instanceof RangeError && error.message === 'source broke', String(error));
      assert.deepEqual(items, range(5).map((x) => x * x).slice(0, items.length));
      await assert.rejects(bounded(pool.map(square, broken()), 'map over a broken source'), RangeError);
      assert.equal(await bounded(pool.apply(square, [3]), 'the pool goes on'), 9);
    });

    test('onProgress: map reports after every chunk, monotonic, total known, ending at completed == total', async (t) => {
      const pool = makePool(t, method, 2);
      const reports: Progress[] = [];
      const result = await bounded(pool.map(square, range(200), { chunksize: 7, onProgress: (p) => reports.push({ ...p }) }), 'map');
      assert.deepEqual(result, range(200).map((x) => x * x));
      assert.equal(reports.length, Math.ceil(200 / 7), 'one report per chunk');
      assertMonotonic(reports, 'map');
      assert.ok(reports.every((p) => p.total === 200 && p.failed === 0));
      assert.deepEqual(reports.at(-1), { completed: 200, failed: 0, total: 200 });
    });

    test('onProgress: imap reports total null until the source is exhausted, then the count; ends at completed == total', async (t) => {
      const pool = makePool(t, method, 2);
      const reports: Progress[] = [];
      const out = await collect(pool.imap(square, counted(150).source, { chunksize: 4, onProgress: (p) => reports.push({ ...p }) }));
      assert.deepEqual(out, range(150).map((x) => x * x));
      assertMonotonic(reports, 'imap');
      assert.deepEqual(reports.at(-1), { completed: 150, failed: 0, total: 150 });
      const firstKnown = reports.findIndex((p) => p.total !== null);
      assert.ok(firstKnown >= 0);
      assert.ok(reports.slice(firstKnown).every((p) => p.total === 150), 'once known, the total stays');
      assert.ok(reports.slice(0, firstKnown).every((p) => p.total === null));
    });

    test('onProgress with a failing item: the map rejects; completed + failed still reaches the total', async (t) => {
      const pool = makePool(t, method, 2);
      const reports: Progress[] = [];
      const items = range(100).map((i) => (i === 37 ? -1 : i));
      const error = await rejection(pool.map(squareOrFail, items, { chunksize: 3, onProgress: (p) => reports.push({ ...p }) }), 'the failing map');
      assert.equal((error as Error).name, 'TaskFailure');
      assert.ok(await waitFor(() => reports.length > 0 && reports.at(-1)!.completed + reports.at(-1)!.failed === 100, LONG), `last report ${JSON.stringify(reports.at(-1))}`);
      assertMonotonic(reports, 'failing map');
      assert.ok(reports.at(-1)!.failed >= 3, 'at least the failing chunk counts as failed');
    });
  });
}
