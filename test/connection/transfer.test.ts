// What crosses a pipe: every kind of payload, unchanged, through a child's echo; and library
// objects as messages (a Connection through a Queue or another Pipe, a Queue through a Pipe).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection, EOFError, Pipe, Queue } from 'multiprocessing-ts';
import { echo, sendOnPipedConnection, sendOnQueuedConnection, useQueueFromPipe } from '../fixtures/pipe-targets.ts';
import { METHODS, joinAll, start } from '../synchronize/_util.ts';

class Custom extends Error {}

/** Values and what must come back (structured clone's rules: a custom Error comes back an Error). */
function payloads(): Array<[what: string, value: unknown, expected?: unknown]> {
  const nested = {
    name: 'nested',
    list: [1, 'two', [3, [4, [5]]], { six: 6n }],
    map: new Map<unknown, unknown>([['k', new Set([1, 2, 3])], [7, { deep: new Date(1_000_000) }]]),
    when: new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 123)),
    maybe: undefined,
    bytes: new Uint8Array([9, 8, 7]),
  };
  return [
    ['zero', 0],
    ['negative zero', -0],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a fraction', 0.1 + 0.2],
    ['a big integer', 2 ** 53 + 2],
    ['the empty string', ''],
    ['ASCII', 'Hello The_Third_Wave'],
    ['Chinese and emoji', '生产者跑路了 吃了么 😀'],
    ['a long string', '吃了么'.repeat(5000) + 'end'],
    ['a long ASCII string', 'x'.repeat(100_000)],
    ['undefined', undefined],
    ['null', null],
    ['true', true],
    ['false', false],
    ['a BigInt', 123n],
    ['a huge negative BigInt', -(2n ** 200n)],
    ['a Date', new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999))],
    ['a RegExp', /ab+c/giu],
    ['a Map', new Map<unknown, unknown>([['a', 1], [2, 'b'], [null, [3]]])],
    ['a Set', new Set(['x', 1, null, 2n])],
    ['a Buffer', Buffer.from('a buffer')],
    ['an empty Buffer', Buffer.alloc(0)],
    ['a Uint8Array (stays one, not a Buffer)', new Uint8Array([1, 2, 255])],
    ['an Int16Array', new Int16Array([-1, 2, -32768])],
    ['a Float64Array', new Float64Array([1.5, -0, Number.NaN])],
    ['a BigInt64Array', new BigInt64Array([-(2n ** 63n), 5n])],
    ['an ArrayBuffer', new Uint8Array([4, 5, 6]).buffer],
    ['a DataView', new DataView(new Uint8Array([1, 2, 3, 4]).buffer, 1, 2)],
    ['an Error', new Error('plain error')],
    ['a RangeError', new RangeError('out of range')],
    ['a TypeError', new TypeError('wrong type')],
    ['an Error subclass (arrives as an Error)', new Custom('custom'), new Error('custom')],
    ['an array with -0, NaN and a hole', [-0, Number.NaN, , 3]], // eslint-disable-line no-sparse-arrays
    ['an object with undefined and -0', { u: undefined, z: -0, s: 'x' }],
    ['plain JSON-like data', { a: 1, b: [true, null, 'c'], d: { e: { f: [1.25] } } }],
    ['many plain objects', Array.from({ length: 1000 }, (_, i) => ({ i, s: `item ${i}` }))],
    ['nested everything', nested],
  ];
}

function checkSpecial(got: Map<string, unknown>): void {
  assert.ok(Object.is(got.get('negative zero'), -0), '-0 stays -0');
  assert.ok(Object.is((got.get('an array with -0, NaN and a hole') as number[])[0], -0));
  assert.equal(2 in (got.get('an array with -0, NaN and a hole') as number[]), false, 'the hole stays a hole');
  assert.ok(Object.hasOwn(got.get('an object with undefined and -0') as object, 'u'), 'a key with undefined stays');
  assert.ok(Buffer.isBuffer(got.get('a Buffer')), 'a Buffer arrives a Buffer');
  const u8 = got.get('a Uint8Array (stays one, not a Buffer)');
  assert.equal(Object.getPrototypeOf(u8), Uint8Array.prototype);
  assert.ok(got.get('an Error') instanceof Error);
  assert.ok(got.get('a RangeError') instanceof RangeError);
  assert.equal((got.get('a RangeError') as Error).message, 'out of range');
}

async function roundTrip(a: Connection<unknown>, list: ReturnType<typeof payloads>): Promise<Map<string, unknown>> {
  const got = new Map<string, unknown>();
  for (const [what, value, expected] of list) {
    a.send(value);
    const back = await a.recv({ timeout: 20_000 });
    assert.deepStrictEqual(back, expected ?? value, what);
    got.set(what, back);
  }
  return got;
}

test('every kind of payload round-trips in one process', async () => {
  const [a, b] = Pipe<unknown>();
  const list = payloads();
  const got = new Map<string, unknown>();
  for (const [what, value, expected] of list) {
    a.send(value);
    const back = await b.recv();
    assert.deepStrictEqual(back, expected ?? value, what);
    got.set(what, back);
  }
  checkSpecial(got);
  // Shared references and cycles are kept, as structured clone keeps them.
  const shared = { x: 1 };
  const cyclic: Record<string, unknown> = { name: 'cycle' };
  cyclic.self = cyclic;
  a.send({ one: shared, two: shared, cyclic });
  const back = (await b.recv()) as { one: object; two: object; cyclic: Record<string, unknown> };
  assert.equal(back.one, back.two, 'one object, twice');
  assert.equal(back.cyclic.self, back.cyclic, 'the cycle');
  a.close();
  b.close();
});

test('strings with lone surrogates round-trip unchanged (as structured clone keeps them)', {
}, async () => {
  const [a, b] = Pipe<unknown>();
  for (const value of ['\uD800', 'x\uDC00y', `${'a'.repeat(5000)}\uD83D`]) {
    a.send(value);
    assert.equal(await b.recv(), value, JSON.stringify(value.slice(-3)));
  }
  a.close();
  b.close();
});

for (const method of METHODS) {
  describe(`payloads and library objects through a child on '${method}'`, () => {
    test('every kind of payload comes back unchanged from a child echo (async recv in the child)', { timeout: 60_000 }, async (t) => {
      const [a, b] = Pipe<unknown>();
      const list = payloads();
      const child = start(t, method, echo, [b, list.length + 2]);
      b.close();
      checkSpecial(await roundTrip(a, list));
      const shared = { x: [1] };
      a.send({ one: shared, two: shared });
      const back = (await a.recv({ timeout: 20_000 })) as { one: object; two: object };
      assert.equal(back.one, back.two, 'shared references survive the trip');
      a.send(new Date(Number.NaN)); // (kept out of deepStrictEqual: the TAP reporter cannot print it)
      const invalid = await a.recv({ timeout: 20_000 });
      assert.ok(invalid instanceof Date && Number.isNaN(invalid.getTime()), 'an invalid Date stays an invalid Date');
      await joinAll([child]);
      await assert.rejects(a.recv({ timeout: 5000 }), EOFError);
      a.close();
    });

    test('a child echoing with recvSync: same values back', { timeout: 60_000 }, async (t) => {
      const [a, b] = Pipe<unknown>();
      const list = payloads().filter(([what]) => /Map|BigInt|Date|Error|nested|Buffer|string/.test(what));
      const child = start(t, method, echo, [b, list.length, true]);
      b.close();
      await roundTrip(a, list);
      await joinAll([child]);
      a.close();
    });

    test('a Connection sent through a Queue to a child arrives open and working: the child sends on it', { timeout: 60_000 }, async (t) => {
      const [a, b] = Pipe<string>();
      const queue = new Queue<Connection<string>>();
      const child = start(t, method, sendOnQueuedConnection, [queue]);
      await queue.put(b);
      b.close(); // the handle in the queue keeps the end held
      assert.equal(await a.recv({ timeout: 20_000 }), 'via a queue; arrived open, writable=true');
      await joinAll([child]);
      await assert.rejects(a.recv({ timeout: 5000 }), EOFError, 'the child closed the last handle');
      a.close();
      queue.close();
    });

    test('a Connection sent through another Pipe to a child works both ways', { timeout: 60_000 }, async (t) => {
      const [a, b] = Pipe<string>();
      const [carrier, carrierChild] = Pipe<unknown>();
      const child = start(t, method, sendOnPipedConnection, [carrierChild]);
      carrierChild.close();
      carrier.send(b);
      b.close();
      assert.equal(await a.recv({ timeout: 20_000 }), 'via a pipe');
      a.send('the parent answers');
      assert.equal(await carrier.recv({ timeout: 20_000 }), 'the piped connection also received: the parent answers');
      await joinAll([child]);
      await assert.rejects(a.recv({ timeout: 5000 }), EOFError);
      await assert.rejects(carrier.recv({ timeout: 5000 }), EOFError);
      a.close();
      carrier.close();
    });

    test('a Queue sent over a Pipe to a child works: the child puts on it and gets from it', { timeout: 60_000 }, async (t) => {
      const [a, b] = Pipe<unknown>();
      const queue = new Queue<string>();
      const child = start(t, method, useQueueFromPipe, [b]);
      b.close();
      a.send(queue);
      assert.equal(await queue.get({ timeout: 20_000 }), 'put by the child on a queue it got through a pipe');
      await queue.put('the parent answers on the queue');
      assert.equal(await a.recv({ timeout: 20_000 }), 'the child got from the queue: the parent answers on the queue');
      await joinAll([child]);
      a.close();
      queue.close();
    });
  });
}
