// Lists of numbers take a faster road (message.ts K_NUMBERS / K_PACKED): a map's long chunks
// travel as blocks of float64s both ways. What the user sees must not change: plain arrays in
// order, every number exact (-0, NaN, huge), other values mixed in, their own typed arrays as such.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Pool } from 'multiprocessing-ts';
import { halves, identity, kindOf, negate, numbersUpTo, square, squareAsync, squareOrWord } from '../fixtures/pool-targets.ts';
import { METHODS, bounded, collect, range } from './_pool.ts';

for (const method of METHODS) {
  describe(`Pool on '${method}': lists of numbers`, () => {
    let pool: Pool;
    before(() => {
      pool = new Pool({ processes: 2, context: method });
    });
    after(() => bounded(pool.terminate(), 'terminate'));

    test('map over long chunks: a plain array, in order, exact', async () => {
      const items = range(5000);
      const out = await bounded(pool.map(square, items), 'map');
      assert.ok(Array.isArray(out) && Object.getPrototypeOf(out) === Array.prototype, 'a plain array');
      assert.deepEqual(out, items.map((x) => x * x));
      const odd = [0, -0, Number.NaN, Infinity, -Infinity, 2 ** 53 + 2, 5e-324, -1.5];
      const many = Array.from({ length: 640 }, (_, i) => odd[i % odd.length]);
      const negated = await bounded(pool.map(negate, many, { chunksize: 100 }), 'map of odd numbers');
      assert.deepEqual(negated, many.map((x) => -x)); // deepEqual tells -0 from 0 and NaN equals NaN
      assert.ok(Object.is(negated[0], -0) && Object.is(negated[1], 0));
    });

    test('a chunk whose results stop being numbers part-way, and async results', async () => {
      const items = range(1000);
      assert.deepEqual(await bounded(pool.map(squareOrWord, items, { chunksize: 250 }), 'map'), items.map(squareOrWord));
      assert.deepEqual(await bounded(pool.map(squareAsync, items, { chunksize: 250 }), 'async map'), items.map((x) => x * x));
    });

    test('items that are not all numbers, and starmap, imap and imapUnordered with long chunks', async () => {
      const mixed: unknown[] = [...range(300), '7', ...range(300)];
      assert.deepEqual(await bounded(pool.map(kindOf, [[1], 'ab', [1, 2, 3]]), 'map of lists'), ['Array 1', 'String 2', 'Array 3']);
      assert.deepEqual(await bounded(pool.map(identity, mixed, { chunksize: 100 }), 'map of mixed items'), mixed);
      assert.deepEqual(await bounded(pool.starmap(negate, range(500).map((x) => [x]), { chunksize: 100 }), 'starmap'), range(500).map((x) => -x));
      assert.deepEqual(await collect(pool.imap(square, range(700), { chunksize: 128 })), range(700).map((x) => x * x));
      const unordered = await collect(pool.imapUnordered(square, range(700), { chunksize: 128 }));
      assert.deepEqual(unordered.sort((a, b) => a - b), range(700).map((x) => x * x));
    });

    test("one call's long list of numbers is a plain array; the user's Float64Array stays one", async () => {
      const list = await bounded(pool.apply(numbersUpTo, [1000]), 'apply');
      assert.ok(Array.isArray(list), `got ${Object.prototype.toString.call(list)}`);
      assert.deepEqual(list, range(1000));
      const floats = await bounded(pool.apply(halves, [300]), 'apply');
      assert.ok(floats instanceof Float64Array);
      assert.equal(floats.length, 300);
      assert.equal(await bounded(pool.apply(kindOf, [new Float64Array(200)]), 'a Float64Array argument'), 'Float64Array 200');
      assert.deepEqual(await bounded(pool.map(kindOf, [new Float64Array(100), range(100)]), 'map'), ['Float64Array 100', 'Array 100']);
      assert.deepEqual(await bounded(pool.map(numbersUpTo, [100, 3]), 'map of lists'), [range(100), range(3)]);
    });
  });
}
