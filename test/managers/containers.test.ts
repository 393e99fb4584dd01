// A SyncManager's containers (G2): dict, list, Namespace, Value, Array — every method of their
// proxies, their errors (arriving as their own classes), referentCopy() and token, and the
// same objects worked on by children on both start methods.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArrayProxy,
  DictProxy,
  ListProxy,
  NamespaceProxy,
  SerializationError,
  ValueError,
  ValueProxy,
  RemoteError,
  type SyncManager,
} from 'multiprocessing-ts';
import { negateArray, setData001 } from '../fixtures/manager-targets.ts';
import { METHODS, errorLike, joinAll, startChildren, withFileManager } from './_util.ts';

let manager: SyncManager;
withFileManager((m) => (manager = m));

describe('dict', () => {
  test('number and string keys are distinct entries; get/set/has/delete/len/keys/values/items', async () => {
    const d = await manager.dict<number | string, unknown>();
    assert.ok(d instanceof DictProxy);
    await d.set(1, 'one');
    await d.set('1', 'string one');
    await d.set(0.5, null);
    assert.equal(await d.get(1), 'one');
    assert.equal(await d.get('1'), 'string one');
    assert.equal(await d.get(0.5), null);
    assert.equal(await d.get(2), undefined);
    assert.equal(await d.get(2, 'fallback'), 'fallback');
    assert.equal(await d.get(0.5, 'fallback'), null, 'a stored null is not replaced by the fallback');
    assert.equal(await d.has(1), true);
    assert.equal(await d.has(2), false);
    assert.equal(await d.len(), 3);
    assert.deepEqual(await d.keys(), [1, '1', 0.5]);
    assert.deepEqual(await d.values(), ['one', 'string one', null]);
    assert.deepEqual(await d.items(), [[1, 'one'], ['1', 'string one'], [0.5, null]]);
    assert.equal(await d.delete('1'), true);
    assert.equal(await d.delete('1'), false);
    assert.deepEqual(await d.keys(), [1, 0.5]);
  });

  test('init from a Record, a Map or entries; update from each; copy() and referentCopy() are Maps', async () => {
    const fromRecord = await manager.dict({ count: 100, name: 'x' });
    assert.deepEqual(await fromRecord.copy(), new Map<string, unknown>([['count', 100], ['name', 'x']]));
    const fromMap = await manager.dict(new Map<number, string>([[1, 'a'], [2, 'b']]));
    assert.equal(await fromMap.get(2), 'b');
    const fromEntries = await manager.dict<number, string>([[3, 'c']]);
    assert.deepEqual(await fromEntries.items(), [[3, 'c']]);
    await fromEntries.update(new Map([[4, 'd']]));
    await fromEntries.update([[5, 'e']]);
    await fromEntries.update(new Set<readonly [number, string]>([[6, 'f']]));
    assert.deepEqual(await fromEntries.keys(), [3, 4, 5, 6]);
    const d = await manager.dict<string, number>();
    await d.update({ a: 1, b: 2 });
    assert.deepEqual(await d.referentCopy(), new Map([['a', 1], ['b', 2]]));
    const copy = await d.copy();
    copy.set('c', 3);
    assert.equal(await d.has('c'), false, 'the copy is a copy');
  });

  test('pop, popitem (last inserted; ValueError ERR_EMPTY when empty), setdefault, clear', async () => {
    const d = await manager.dict<string, number>([['a', 1], ['b', 2], ['c', 3]]);
    assert.equal(await d.pop('a'), 1);
    assert.equal(await d.pop('a'), undefined);
    assert.equal(await d.pop('a', -1), -1);
    assert.deepEqual(await d.popitem(), ['c', 3]);
    assert.equal(await d.setdefault('b', 99), 2);
    assert.equal(await d.setdefault('z', 26), 26);
    assert.equal(await d.get('z'), 26);
    await d.clear();
    assert.equal(await d.len(), 0);
    await assert.rejects(d.popitem(), errorLike(ValueError, /empty/, 'ERR_EMPTY'));
  });

  test('values are copies: nested data round-trips, but mutating a result does not change the dict', async () => {
    const d = await manager.dict<string, unknown>();
    const value = { list: [1, 2, { deep: true }], when: new Date(0), big: 10n ** 20n, bytes: new Uint8Array([1, 2]), set: new Set(['x']) };
    await d.set('v', value);
    const got = (await d.get('v')) as typeof value;
    assert.deepEqual(got, value);
    got.list.push(3);
    assert.deepEqual(((await d.get('v')) as typeof value).list, [1, 2, { deep: true }], "Python's d['v'].append(3) pitfall: the dict keeps its own copy");
  });

  test('a value that cannot cross is a SerializationError on this side, and the proxy still works after', async () => {
    const d = await manager.dict<string, unknown>();
    await assert.rejects(d.set('f', () => 1), errorLike(SerializationError, /dict\.set\(\)/));
    await d.set('ok', 1);
    assert.equal(await d.get('ok'), 1);
  });

  test('a 20 MiB value round-trips; 2000 requests in flight at once each get their own reply', async () => {
    const d = await manager.dict<string, unknown>();
    const big = new Uint8Array(20 * 1024 * 1024).fill(7);
    big[12345] = 8;
    await d.set('big', big);
    const back = (await d.get('big')) as Uint8Array;
    assert.equal(back.byteLength, big.byteLength);
    assert.equal(back[12345], 8);
    assert.equal(back[big.byteLength - 1], 7);
    await d.delete('big');
    await Promise.all(Array.from({ length: 2000 }, (_, i) => d.set(`k${i}`, i)));
    const values = await Promise.all(Array.from({ length: 2000 }, (_, i) => d.get(`k${i}`)));
    assert.ok(values.every((v, i) => v === i), 'every reply found its request');
    assert.equal(await d.len(), 2000);
  });

  test('token and inspect name the object: typeid, id, exposed methods and the server address', async () => {
    const d = await manager.dict();
    const { token } = d;
    assert.equal(token.typeid, 'dict');
    assert.equal(typeof token.id, 'string');
    assert.deepEqual(token.address, manager.address);
    assert.ok(token.exposed.includes('setdefault') && token.exposed.includes('popitem'));
    const other = await manager.dict();
    assert.notEqual(other.token.id, token.id, 'two dicts are two objects');
    const { inspect } = await import('node:util');
    assert.match(inspect(d), /^<DictProxy dict id=\S+ at /);
  });
});

describe('list', () => {
  test('negative indices count from the end; get/set out of range are RangeError; a non-integer index is TypeError', async () => {
    const l = await manager.list([10, 20, 30]);
    assert.ok(l instanceof ListProxy);
    assert.equal(await l.get(0), 10);
    assert.equal(await l.get(-1), 30);
    assert.equal(await l.get(-3), 10);
    await l.set(-1, 31);
    assert.equal(await l.get(2), 31);
    await assert.rejects(l.get(3), errorLike(RangeError, /index 3 is out of range \(length 3\)/));
    await assert.rejects(l.get(-4), errorLike(RangeError, /index -4/));
    await assert.rejects(l.set(5, 0), RangeError);
    await assert.rejects(l.get(1.5), TypeError);
    assert.deepEqual(await l.copy(), [10, 20, 31]);
  });

  test('append, extend, insert (clamped like Python), pop (default last, negative, empty → RangeError)', async () => {
    const l = await manager.list<number>();
    await l.append(1);
    await l.extend([2, 3]);
    await l.extend(new Set([4]));
    await l.insert(0, 0);
    await l.insert(-1, 3.5);
    await l.insert(100, 5);
    await l.insert(-100, -1);
    assert.deepEqual(await l.copy(), [-1, 0, 1, 2, 3, 3.5, 4, 5]);
    assert.equal(await l.pop(), 5);
    assert.equal(await l.pop(0), -1);
    assert.equal(await l.pop(-2), 3.5);
    await assert.rejects(l.pop(10), RangeError);
    assert.equal(await l.len(), 5);
    await l.clear();
    await assert.rejects(l.pop(), errorLike(RangeError, /empty/));
  });

  test('index, count and remove compare deeply; a missing value is ValueError ERR_NOT_FOUND', async () => {
    const l = await manager.list<unknown>([{ a: 1 }, 'x', { a: 1 }, [1, 2]]);
    assert.equal(await l.index({ a: 1 }), 0);
    assert.equal(await l.index([1, 2]), 3);
    assert.equal(await l.count({ a: 1 }), 2);
    assert.equal(await l.count('nope'), 0);
    await l.remove({ a: 1 });
    assert.deepEqual(await l.copy(), ['x', { a: 1 }, [1, 2]]);
    await assert.rejects(l.index('nope'), errorLike(ValueError, /not in the list/, 'ERR_NOT_FOUND'));
    await assert.rejects(l.remove('nope'), errorLike(ValueError, undefined, 'ERR_NOT_FOUND'));
  });

  test('sort (numbers numerically, reverse), reverse, slice like l[a:b] with negatives', async () => {
    const l = await manager.list([10, 9, 100, 1]);
    await l.sort();
    assert.deepEqual(await l.copy(), [1, 9, 10, 100], 'numerically, not as strings');
    await l.sort({ reverse: true });
    assert.deepEqual(await l.copy(), [100, 10, 9, 1]);
    await l.reverse();
    assert.deepEqual(await l.referentCopy(), [1, 9, 10, 100]);
    assert.deepEqual(await l.slice(1, 3), [9, 10]);
    assert.deepEqual(await l.slice(-2), [10, 100]);
    assert.deepEqual(await l.slice(), [1, 9, 10, 100]);
    const words = await manager.list(['b', 'c', 'a']);
    await words.sort();
    assert.deepEqual(await words.copy(), ['a', 'b', 'c']);
  });
});

describe('Namespace', () => {
  test('get/set/has/delete/copy; a missing attribute is ValueError ERR_NO_ATTRIBUTE (Python: AttributeError)', async () => {
    const ns = await manager.Namespace({ x: 1 });
    assert.ok(ns instanceof NamespaceProxy);
    assert.equal(await ns.get('x'), 1);
    await ns.set('y', [1, 2]);
    assert.equal(await ns.has('y'), true);
    assert.deepEqual(await ns.copy(), { x: 1, y: [1, 2] });
    await assert.rejects(ns.get('missing'), errorLike(ValueError, /no attribute "missing"/, 'ERR_NO_ATTRIBUTE'));
    await ns.delete('x');
    assert.equal(await ns.has('x'), false);
    await assert.rejects(ns.delete('x'), errorLike(ValueError, undefined, 'ERR_NO_ATTRIBUTE'));
    assert.deepEqual(await ns.referentCopy(), { y: [1, 2] });
    const empty = await manager.Namespace();
    assert.deepEqual(await empty.copy(), {});
  });
});

describe('Value and Array', () => {
  test("Value: get/set, and repr like Python's Value('i', 21)", async () => {
    const v = await manager.Value('i', 1);
    assert.ok(v instanceof ValueProxy);
    assert.equal(await v.repr(), "Value('i', 1)");
    await v.set(21);
    assert.equal(await v.get(), 21);
    assert.equal(await v.repr(), "Value('i', 21)");
    assert.equal(await v.referentCopy(), 21);
    const s = await manager.Value('u', 'hi');
    assert.equal(await s.get(), 'hi');
    assert.match(await s.repr(), /^Value\('u', .hi.\)$/);
  });

  test("Array: from items or a length (zeros), get/set with negative indices, out of range RangeError, repr array('i', [...])", async () => {
    const a = await manager.Array('i', Array.from({ length: 10 }, (_, i) => i));
    assert.ok(a instanceof ArrayProxy);
    assert.equal(await a.repr(), "array('i', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])");
    assert.equal(await a.len(), 10);
    assert.equal(await a.get(-1), 9);
    await a.set(-1, 90);
    assert.equal(await a.get(9), 90);
    await assert.rejects(a.get(10), RangeError);
    await assert.rejects(a.set(-11, 0), RangeError);
    await assert.rejects(a.set(0, 'x' as unknown as number), TypeError);
    assert.deepEqual(await a.slice(2, 4), [2, 3]);
    assert.deepEqual(await a.slice(-2), [8, 90]);
    const zeros = await manager.Array('d', 3);
    assert.deepEqual(await zeros.copy(), [0, 0, 0]);
    assert.deepEqual(await zeros.referentCopy(), [0, 0, 0]);
    // A factory that throws fails the create request: RemoteError, as Python's server sends a traceback.
    await assert.rejects(manager.Array('i', ['x'] as unknown as number[]), errorLike(RemoteError, /SyncManager\.Array\(\): Array\(i\): items must be numbers/));
  });
});

for (const method of METHODS) {
  describe(`containers worked on by children ('${method}')`, () => {
    test("seed 001: a child sets d[1] = '1', d[0.5] = None and reverses the list", { timeout: 60_000 }, async (t) => {
      const d = await manager.dict<number, string | null>();
      const l = await manager.list([0, 1, 2, 3, 4]);
      await joinAll(startChildren(t, method, [[setData001, [d, l]]]));
      assert.deepEqual(await d.copy(), new Map<number, string | null>([[1, '1'], [0.5, null]]));
      assert.deepEqual(await l.copy(), [4, 3, 2, 1, 0]);
    });

    test('seed 001: a child sets a Value to 1024 and negates an Array', { timeout: 60_000 }, async (t) => {
      const v = await manager.Value('d', 0);
      const a = await manager.Array('i', [1, 2, 3, 4, 5]);
      await joinAll(startChildren(t, method, [[negateArray, [a, v]]]));
      assert.equal(await v.get(), 1024);
      assert.deepEqual(await a.copy(), [-1, -2, -3, -4, -5]);
      assert.equal(await a.repr(), "array('i', [-1, -2, -3, -4, -5])");
    });
  });
}
