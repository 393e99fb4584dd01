// The reduction mechanism (P8): registered classes arrive in the child as working objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { inspect } from 'node:util';
import v8 from 'node:v8';
import { getContext } from 'multiprocessing-ts';
import { createReduceContext, dumps, loads } from 'multiprocessing-ts/reduction';
import { Greeter } from '../fixtures/reducible.ts';
import { useGreeters } from '../fixtures/targets.ts';
import { readReport, tempDir } from '../helpers.ts';

for (const method of ['spawn', 'thread'] as const) {
  test(`a registered class crosses to a '${method}' child as a working object, identity kept`, async (t) => {
    const file = join(tempDir(t), 'greet');
    const greeter = new Greeter('hello');
    const greeters = new Map([['first', greeter], ['again', greeter]]);
    const p = new (getContext(method).Process)({ target: useGreeters, args: [file, greeters, { plain: [1, 2] }] });
    p.start();
    assert.equal(await p.join(), 0);
    const got = readReport<{ greeting: string; sameObject: boolean; same: unknown }>(file);
    assert.match(got.greeting, /^hello, child \(rebuilt in \d+\)$/);
    assert.equal(got.sameObject, true);
    assert.deepEqual(got.same, { plain: [1, 2] });
  });
}

test('dumps/loads round-trip cycles and reducible objects inside Map, Set and arrays', () => {
  const context = createReduceContext('thread');
  const cyclic: { self?: unknown; items: unknown[] } = { items: [new Set([new Greeter('hi')])] };
  cyclic.self = cyclic;
  const back = loads(dumps(cyclic, context), context) as typeof cyclic;
  assert.equal(back.self, back);
  const [set] = back.items as [Set<Greeter>];
  assert.ok([...set][0] instanceof Greeter);
  assert.match([...set][0].greet('x'), /^hi, x/);
});

test('plain data skips the reducing walk and keeps its types', () => {
  const context = createReduceContext('spawn');
  const value = { big: 10n ** 30n, when: new Date(0), bytes: Buffer.from('abc') };
  assert.deepEqual(loads(dumps(value, context), context), value);
});

test('small plain data crosses as JSON (no node:v8 in the child), exactly as structured clone would', () => {
  const context = createReduceContext('spawn');
  const shared = { s: 1 };
  const viaJson = [
    null, 'lone \ud800', 'ünï ✓', 1.5, 1e21, [1, 2], { a: [null, 'x'], b: { c: false } }, JSON.parse('{"__proto__": 5}'),
    new Uint8Array([1, 2, 3]), { key: new Uint8Array(32) }, Object.assign(Object.create(null) as object, { a: 1 }),
  ];
  const viaV8 = [
    -0, Number.NaN, Infinity, [1, , 3], Object.assign([1], { x: 2 }), { a: undefined }, Buffer.from([1]),
    new Uint16Array([1]), [shared, shared], { '\u0000multiprocessing-ts:bytes': 'AAA=' }, new Date(0), 10n,
    Array.from({ length: 300 }, (_, i) => i),
  ];
  for (const [values, header] of [[viaJson, 2], [viaV8, 0]] as const) {
    for (const value of values) {
      const bytes = dumps(value, context);
      assert.equal(bytes[0], header, `header of ${inspect(value)}`);
      assert.deepStrictEqual(loads(bytes, context), v8.deserialize(v8.serialize(value)), inspect(value));
    }
  }
});
