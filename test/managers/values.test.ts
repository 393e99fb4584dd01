// What crosses to a manager and back comes back the same: the small values the protocol writes
// itself (src/managers/protocol.ts: primitives and short lists of them, no serializer) as much
// as those it hands to the serializer (anything else). Each value is put in a managed list and
// read back, used as a dict key, and returned by a method.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type SyncManager } from 'multiprocessing-ts';
import { withFileManager } from './_util.ts';

let manager: SyncManager;
withFileManager((m) => (manager = m));

const primitives: unknown[] = [
  0, -0, 1.5, -1e308, Number.NaN, Infinity, -Infinity, 2 ** 53 + 2, 5e-324,
  '', 'plain', 'é中文😀', 'x'.repeat(70_000), '\ud800 lone surrogate', 'a\u0000b',
  true, false, null, undefined,
];

test('primitives come back exactly: -0, NaN, long, non-ASCII and lone-surrogate strings, null and undefined', async () => {
  const list = await manager.list<unknown>();
  for (const value of primitives) {
    await list.append(value);
    const back = await list.get(-1);
    assert.ok(Object.is(back, value), `${String(value).slice(0, 40)} came back as ${String(back).slice(0, 40)}`);
  }
  assert.deepEqual(await list.copy(), primitives);
});

test('short lists of primitives, lists with holes or nested values, and objects come back the same', async () => {
  const list = await manager.list<unknown>();
  const holey: unknown[] = [1, , 3]; // eslint-disable-line no-sparse-arrays
  const values: unknown[] = [
    [], [1, 'two', null, undefined, true], Array.from({ length: 16 }, (_, i) => i), Array.from({ length: 17 }, (_, i) => i),
    holey, [[1, 2], [3]], { a: 1, b: [2, { c: 3 }] }, new Map([[1, 'one']]), new Set(['s']), 10n, new Date(0), Buffer.from('bytes'),
  ];
  for (const value of values) {
    await list.append(value);
    assert.deepEqual(await list.get(-1), value);
  }
  const back = (await list.copy())[4] as unknown[];
  assert.equal(1 in back, false, 'a hole stays a hole');
});

test('primitive dict keys find their entries: 1 and "1" apart, -0 and NaN as a Map has them', async () => {
  const d = await manager.dict<unknown, string>();
  for (const key of [1, '1', 0.25, true, null, 'é中文', Number.NaN]) await d.set(key, `value of ${String(key)}`);
  assert.equal(await d.get(1), 'value of 1');
  await d.set('1', 'value of the string 1');
  assert.equal(await d.get('1'), 'value of the string 1');
  assert.equal(await d.get(0.25), 'value of 0.25');
  assert.equal(await d.get(true), 'value of true');
  assert.equal(await d.get(null), 'value of null');
  assert.equal(await d.get(Number.NaN), 'value of NaN');
  assert.equal(await d.len(), 7);
  assert.equal(await d.has('true'), false);
});
