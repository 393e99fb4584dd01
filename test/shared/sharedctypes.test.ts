// Value and Array in shared memory (M1), in this process and through children on both start methods.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  Array as MpArray,
  Lock,
  RLock,
  RawArray,
  RawValue,
  SharedArray,
  Value,
  getContext,
  type StartMethod,
  type Typecode,
} from 'multiprocessing-ts';
import {
  arrayWork,
  increment,
  lockInfo,
  nested,
  readThenWrite,
  seedChars,
  seedFirst,
  seedNegate,
  sumArray,
  sumValues,
  writeObj,
} from '../fixtures/shared-targets.ts';
import { readReport, runDriver, tempDir } from '../helpers.ts';
import { memfdCount } from './_util.ts';

const TYPECODES = ['c', 'u', 'b', 'B', 'h', 'H', 'i', 'I', 'l', 'L', 'q', 'Q', 'f', 'd'] as const satisfies readonly Typecode[];

/** The value a fresh Value/Array element holds: ctypes' zero. */
function zeroOf(typecode: Typecode): unknown {
  if (typecode === 'c' || typecode === 'u') return '\0';
  if ('lLqQ'.includes(typecode)) return 0n;
  return 0;
}

/** [typecode, initial (in range), parent write (out of range), parent reads, child write, parent then reads]. */
const ROUND_TRIP: [Typecode, unknown, unknown, unknown, unknown, unknown][] = [
  ['c', 'x', 'ÿ', 'ÿ', 'a', 'a'],
  ['u', 'x', '😀', '😀', '张', '张'],
  ['b', -128, 255, -1, 200, -56],
  ['B', 255, -1, 255, 256 + 7, 7],
  ['h', -32768, 32768, -32768, 40000, -25536],
  ['H', 65535, 65536 + 3, 3, -1, 65535],
  ['i', -(2 ** 31), 2 ** 31, -(2 ** 31), 2 ** 31 + 5, -(2 ** 31) + 5],
  ['I', 2 ** 32 - 1, -2, 2 ** 32 - 2, 2 ** 32 + 9, 9],
  ['l', -(2n ** 63n), 2n ** 63n, -(2n ** 63n), 2n ** 64n - 1n, -1n],
  ['L', 2n ** 64n - 1n, -1n, 2n ** 64n - 1n, 2n ** 64n + 3n, 3n],
  ['q', 2n ** 63n - 1n, 2n ** 63n + 1n, -(2n ** 63n) + 1n, -1, -1n],
  ['Q', 12345678901234567890n, -2, 2n ** 64n - 2n, 2 ** 40, 2n ** 40n],
  ['f', 1.5, 0.1, Math.fround(0.1), -3.25e10, Math.fround(-3.25e10)],
  ['d', Math.PI, -1.5e-300, -1.5e-300, 3.1415927, 3.1415927],
];

describe('Value in this process', () => {
  test('every typecode defaults to zero (0, 0n, "\\0") and keeps the JavaScript type of its kind', () => {
    for (const typecode of TYPECODES) {
      const v = new Value(typecode);
      assert.equal(v.typecode, typecode);
      assert.equal(v.value, zeroOf(typecode), typecode);
      const raw = new RawValue(typecode);
      assert.equal(raw.value, zeroOf(typecode), typecode);
    }
    assert.equal(typeof new Value('q', 5).value, 'bigint');
    assert.equal(typeof new Value('i', 5n as never).value, 'number');
    assert.equal(new Value('d', 5n as never).value, 5);
    assert.equal(new Value('c', 97).value, 'a');
  });

  test('integers wrap around like ctypes, in the constructor and the setter', () => {
    const cases: [Typecode, number | bigint, number | bigint][] = [
      ['b', 128, -128],
      ['b', -129, 127],
      ['B', 256, 0],
      ['B', -1, 255],
      ['h', 2 ** 16 + 1, 1],
      ['H', -2, 65534],
      ['i', 2 ** 32, 0],
      ['i', 2 ** 31 - 1, 2 ** 31 - 1],
      ['I', -1, 2 ** 32 - 1],
      ['i', 2n ** 40n + 7n, 7],
      ['l', 2n ** 64n, 0n],
      ['L', -1, 2n ** 64n - 1n],
      ['q', 2n ** 63n, -(2n ** 63n)],
      ['Q', -(2n ** 64n) - 1n, 2n ** 64n - 1n],
      ['q', Number.MAX_SAFE_INTEGER, BigInt(Number.MAX_SAFE_INTEGER)],
    ];
    for (const [typecode, given, expected] of cases) {
      assert.equal(new Value(typecode, given as never).value, expected, `Value('${typecode}', ${given})`);
      const v = new Value(typecode);
      v.value = given as never;
      assert.equal(v.value, expected, `Value('${typecode}').value = ${given}`);
    }
  });

  test('a bigint beyond 2**53 given to a number typecode wraps exactly, as ctypes does (c_int(2**63-1).value == -1)', () => {
    assert.equal(new Value('i', (2n ** 63n - 1n) as never).value, -1);
    assert.equal(new Value('B', (2n ** 60n + 1n) as never).value, 1);
    assert.equal(new Value('I', (2n ** 64n + 5n) as never).value, 5);
  });

  test('bad input is a TypeError naming the typecode and what was given; the value is unchanged', () => {
    const bad: [Typecode, unknown, RegExp][] = [
      ['i', '5', /Value\('i'\).*integer.*"5"/],
      ['i', 1.5, /Value\('i'\).*integer.*1\.5/],
      ['i', null, /Value\('i'\).*null/],
      ['h', {}, /Value\('h'\).*\[object Object\]/],
      ['q', 1.5, /Value\('q'\).*bigint.*1\.5/],
      ['Q', '1', /Value\('Q'\).*"1"/],
      ['d', 'x', /Value\('d'\).*number.*"x"/],
      ['f', true, /Value\('f'\).*true/],
      ['c', 'ab', /Value\('c'\).*"ab"/],
      ['c', '张', /Value\('c'\).*"张"/],
      ['c', 256, /Value\('c'\).*256/],
      ['u', 'ab', /Value\('u'\).*"ab"/],
      ['u', '', /Value\('u'\).*""/],
      ['u', 65, /Value\('u'\).*65/],
    ];
    for (const [typecode, given, message] of bad) {
      assert.throws(() => new Value(typecode, given as never), (e: unknown) => e instanceof TypeError && message.test(e.message), `Value('${typecode}', ${String(given)})`);
      const v = new Value(typecode);
      assert.throws(() => (v.value = given as never), (e: unknown) => e instanceof TypeError && message.test(e.message), `.value = ${String(given)}`);
      assert.equal(v.value, zeroOf(typecode));
    }
    for (const typecode of ['z', 'x', '', 'ii', 5, undefined] as unknown[]) {
      assert.throws(
        () => new Value(typecode as Typecode),
        (e: unknown) => e instanceof TypeError && /unknown typecode/.test(e.message) && /c u b B h H i I l L q Q f d/.test(e.message),
        String(typecode),
      );
    }
    assert.throws(() => new Value('i', 0, { lock: 5 as never }), (e: unknown) => e instanceof TypeError && /lock/.test(e.message));
    assert.throws(() => new Value('i', 0, { lock: {} as never }), TypeError);
  });

  test('getLock(): a new RLock by default, the given Lock or RLock, TypeError when raw', async () => {
    const a = new Value('i');
    const b = new Value('i');
    assert.ok(a.getLock() instanceof RLock);
    assert.notEqual(a.getLock(), b.getLock());
    assert.equal(a.getLock(), a.getLock());
    const lock = new Lock();
    const withLock = new Value('d', 0, { lock });
    assert.equal(withLock.getLock(), lock);
    const rlock = new RLock();
    assert.equal(new Value('d', 0, { lock: rlock }).getLock(), rlock);
    assert.ok(new Value('d', 0, { lock: true }).getLock() instanceof RLock);
    for (const raw of [new Value('i', 1, { lock: false }), new RawValue('i', 1)]) {
      assert.throws(() => raw.getLock(), (e: unknown) => e instanceof TypeError && /no lock/.test(e.message) && /lock: false/.test(e.message));
      assert.throws(() => raw.acquireSync(), TypeError);
      assert.throws(() => raw.release(), TypeError);
      assert.throws(() => raw.withLockSync(() => 1), TypeError);
      await assert.rejects(async () => raw.acquire(), TypeError);
      assert.equal(raw.value, 1);
      raw.value = 2;
      assert.equal(raw.value, 2);
    }
    // The delegating methods use that lock.
    assert.equal(withLock.acquireSync(), true);
    assert.equal(lock.acquireSync({ block: false }), false);
    withLock.release();
    assert.equal(withLock.withLockSync(() => lock.acquireSync({ block: false })), false);
    assert.equal(await withLock.withLock(async () => 7), 7);
    {
      using held = a.holdSync();
      assert.ok(held);
      assert.equal(a.getLock().acquireSync({ block: false }), true); // an RLock: recursive
      a.release();
    }
    const v = new Value('i', 0);
    v.withLockSync(() => (v.value += 1));
    assert.equal(v.value, 1);
  });

  test('getObj() is the typed array over the shared value', () => {
    const expected: Record<Typecode, string> = {
      c: 'Uint8Array', u: 'Uint32Array', b: 'Int8Array', B: 'Uint8Array', h: 'Int16Array', H: 'Uint16Array',
      i: 'Int32Array', I: 'Uint32Array', l: 'BigInt64Array', L: 'BigUint64Array', q: 'BigInt64Array',
      Q: 'BigUint64Array', f: 'Float32Array', d: 'Float64Array',
    };
    for (const typecode of TYPECODES) {
      const obj = new Value(typecode).getObj();
      assert.equal(obj.constructor.name, expected[typecode], typecode);
      assert.equal(obj.length, 1);
      assert.ok(obj.buffer instanceof SharedArrayBuffer, typecode);
    }
    const v = new Value('d', 1);
    const obj = v.getObj() as Float64Array;
    obj[0] = 6.5;
    assert.equal(v.value, 6.5);
    v.value = -1;
    assert.equal(obj[0], -1);
    assert.equal(v.getObj(), v.getObj());
    const c = new Value('c', 'A');
    assert.equal(c.getObj()[0], 65);
  });

  test('1000 Values are packed into a few shared arenas, and each keeps its own value', () => {
    const before = memfdCount();
    const values = Array.from({ length: 1000 }, (_, i) => new Value('i', i));
    const arrays = Array.from({ length: 100 }, (_, i) => new SharedArray('d', [i, -i]));
    const grown = memfdCount() - before;
    // (It may even shrink: the garbage collector can close arenas of earlier tests meanwhile.)
    assert.ok(grown <= 5, `1000 Values and 100 Arrays opened ${grown} memfd arenas`);
    values.forEach((v, i) => assert.equal(v.value, i));
    for (const v of values) v.value = v.value * 2;
    values.forEach((v, i) => assert.equal(v.value, 2 * i));
    arrays.forEach((a, i) => assert.deepEqual(a.slice(), [i, -i]));
    // Packed: they share a few buffers, at distinct offsets.
    const buffers = new Set(values.map((v) => v.getObj().buffer));
    assert.ok(buffers.size <= 5, `1000 Values over ${buffers.size} buffers`);
    const places = new Set(values.map((v) => `${[...buffers].indexOf(v.getObj().buffer)}:${v.getObj().byteOffset}`));
    assert.equal(places.size, 1000);
  });
});

describe('SharedArray in this process', () => {
  test('Array is SharedArray; a size gives zeros, an iterable gives the elements', () => {
    assert.equal(MpArray, SharedArray);
    const zeros = new MpArray('i', 5);
    assert.ok(zeros instanceof SharedArray);
    assert.equal(zeros.length, 5);
    assert.equal(zeros.typecode, 'i');
    assert.deepEqual(zeros.slice(), [0, 0, 0, 0, 0]);
    for (const typecode of TYPECODES) {
      const a = new SharedArray(typecode, 3);
      assert.deepEqual(a.slice(), [zeroOf(typecode), zeroOf(typecode), zeroOf(typecode)], typecode);
    }
    assert.deepEqual(new SharedArray('i', [11, 22, 33, 44]).slice(), [11, 22, 33, 44]);
    function* range(n: number): Generator<number> {
      for (let i = 0; i < n; i++) yield i;
    }
    assert.deepEqual(new SharedArray('i', range(10)).slice(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(new SharedArray('d', new Set([1.5, -2])).slice(), [1.5, -2]);
    assert.deepEqual(new SharedArray('q', [1, 2n]).slice(), [1n, 2n]);
    assert.deepEqual(new SharedArray('b', [200, -129]).slice(), [-56, 127]);
    assert.deepEqual(new SharedArray('c', 'hello').slice(), ['h', 'e', 'l', 'l', 'o']);
    assert.deepEqual(new SharedArray('u', '张三😀').slice(), ['张', '三', '😀']);
    assert.equal(new SharedArray('i', 0).length, 0);
    assert.deepEqual(new SharedArray('i', []).slice(), []);
  });

  test('bad sizes, elements and typecodes are TypeErrors', () => {
    for (const size of [-1, 1.5, Number.NaN, Infinity]) {
      assert.throws(() => new SharedArray('i', size), (e: unknown) => e instanceof TypeError && /size/.test(e.message), String(size));
    }
    assert.throws(() => new SharedArray('i', null as never), TypeError);
    assert.throws(() => new SharedArray('i', [1, 'x'] as never), (e: unknown) => e instanceof TypeError && /\[1\]/.test(e.message) && /"x"/.test(e.message));
    assert.throws(() => new SharedArray('z' as never, 3), (e: unknown) => e instanceof TypeError && /unknown typecode "z"/.test(e.message));
    const a = new SharedArray('i', 2);
    assert.throws(() => (a[0] = 'x' as never), TypeError);
    assert.throws(() => a.set([1.5]), TypeError);
    assert.deepEqual(a.slice(), [0, 0]);
  });

  test('indexing: a[i] = -a[i], a[-1], out of range is a RangeError', () => {
    const a = new SharedArray('i', [1, 2, 3]);
    for (let i = 0; i < a.length; i++) a[i] = -a[i];
    assert.deepEqual(a.slice(), [-1, -2, -3]);
    assert.equal(a[-1], -3);
    assert.equal(a[-3], -1);
    a[-1] = 30;
    assert.equal(a[2], 30);
    for (const index of [3, -4, 100]) {
      assert.throws(() => a[index], (e: unknown) => e instanceof RangeError && new RegExp(`index ${index}`).test(e.message) && /length 3/.test(e.message));
      assert.throws(() => {
        a[index] = 1;
      }, RangeError);
    }
    assert.equal(0 in a, true);
    assert.equal(-1 in a, true);
    assert.equal(3 in a, false);
    assert.deepEqual(a.slice(), [-1, -2, 30]);
  });

  test('at(), setItem() and iteration (for-of, spread, Array.from) work on the array', () => {
    const a = new SharedArray('i', [5, 6, 7]);
    assert.equal(a.at(0), 5);
    assert.equal(a.at(-1), 7);
    assert.throws(() => a.at(3), RangeError);
    a.setItem(1, 60);
    a.setItem(-1, 70);
    assert.throws(() => a.setItem(3, 1), RangeError);
    assert.deepEqual([...a], [5, 60, 70]);
    const seen: number[] = [];
    for (const x of a) seen.push(x);
    assert.deepEqual(seen, [5, 60, 70]);
    assert.deepEqual(Array.from(a), [5, 60, 70]);
    const raw = new RawArray('u', '张三');
    assert.deepEqual([...raw], ['张', '三']);
  });

  test('slice(start, end), toArray() and set(values, start)', () => {
    const a = new SharedArray('h', [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(a.slice(), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(a.slice(2), [2, 3, 4, 5]);
    assert.deepEqual(a.slice(1, 3), [1, 2]);
    assert.deepEqual(a.slice(-2), [4, 5]);
    assert.deepEqual(a.slice(4, 2), []);
    assert.deepEqual(a.toArray(), [0, 1, 2, 3, 4, 5]);
    const copy = a.slice();
    copy[0] = 99;
    assert.equal(a[0], 0, 'slice() is a copy');
    a.set([10, 11]);
    a.set([40, 50], 4);
    a.set([70000], 2); // wraps like ctypes
    assert.deepEqual(a.toArray(), [10, 11, 70000 - 65536, 3, 40, 50]);
    assert.throws(() => a.set([1, 2], 5), (e: unknown) => e instanceof RangeError && /do not fit/.test(e.message));
    assert.throws(() => a.set([1], -1), RangeError);
    assert.throws(() => a.set([1], 1.5), RangeError);
    a.set([]);
    assert.deepEqual(new SharedArray('Q', [1n, 2n]).toArray(), [1n, 2n]);
  });

  test(".value for 'c' and 'u' arrays is the text up to the first NUL; other typecodes have none", () => {
    const c = new SharedArray('c', 8);
    assert.equal(c.value, '');
    c.value = 'hello';
    assert.equal(c.value, 'hello');
    c.value = 'hi';
    assert.equal(c.value, 'hi');
    assert.deepEqual(c.slice(0, 3), ['h', 'i', '\0']);
    assert.throws(() => (c.value = 'too long!'), RangeError);
    assert.throws(() => (c.value = '张'), TypeError);
    const full = new SharedArray('c', 'abc');
    assert.equal(full.value, 'abc');
    const u = new SharedArray('u', 4);
    u.value = '张三😀';
    assert.equal(u.value, '张三😀');
    assert.deepEqual(u.slice(), ['张', '三', '😀', '\0']);
    const ints = new SharedArray('i', 2);
    assert.throws(() => ints.value, (e: unknown) => e instanceof TypeError && /'c' and 'u'/.test(e.message));
    assert.throws(() => (ints.value = 'x'), TypeError);
  });

  test('RawArray has no lock; a given lock is used; getObj() covers the elements', () => {
    const raw = new RawArray('d', [1, 2]);
    assert.throws(() => raw.getLock(), (e: unknown) => e instanceof TypeError && /RawArray/.test(e.message));
    assert.ok(raw instanceof SharedArray);
    raw[1] = 3;
    assert.deepEqual(raw.slice(), [1, 3]);
    assert.ok(new SharedArray('i', 1).getLock() instanceof RLock);
    const lock = new Lock();
    const a = new SharedArray('i', 3, { lock });
    assert.equal(a.getLock(), lock);
    // slice() and set() take the lock: with it held elsewhere they would block, so hold it
    // here and check that it is the same lock.
    assert.equal(a.acquireSync({ block: false }), true);
    assert.equal(lock.acquireSync({ block: false }), false);
    a.release();
    a.set([1, 2, 3]);
    const obj = a.getObj() as Int32Array;
    assert.ok(obj instanceof Int32Array);
    assert.equal(obj.length, 3);
    obj[0] = -5;
    assert.equal(a[0], -5);
    assert.deepEqual(Array.from(new SharedArray('d', 4).getObj() as Float64Array), [0, 0, 0, 0]);
  });
});

for (const method of ['spawn', 'thread'] as const satisfies readonly StartMethod[]) {
  const { Process } = getContext(method);

  describe(`Value and Array through a '${method}' child`, () => {
    test('a child that is the first of its program to use shared memory (a Value, a Lock) ends cleanly', async () => {
      const result = await runDriver('driver-shm-thread-first.ts', [method]);
      assert.equal(result.code, 0, `driver exit code ${result.code}, signal ${result.signal}\n${result.stdout}${result.stderr}`);
      assert.equal(result.stdout, 'child value=6\nexitcode=0\nmain done\n');
    });

    test('every typecode round-trips: the child reads what the parent wrote (wrapped) and the parent reads what it wrote back', async (t) => {
      const file = join(tempDir(t), 'values');
      const values = ROUND_TRIP.map(([typecode, initial]) => new Value(typecode, initial as never));
      ROUND_TRIP.forEach(([typecode, initial], i) => assert.equal(values[i].value, initial, `initial ${typecode}`));
      ROUND_TRIP.forEach(([typecode, , parentWrite, parentRead], i) => {
        values[i].value = parentWrite as never;
        assert.equal(values[i].value, parentRead, `parent write ${typecode}`);
      });
      const defaults = TYPECODES.map((typecode) => new Value(typecode));
      const pairs = ROUND_TRIP.map(([, , , , childWrite], i): [Value, unknown] => [values[i], childWrite]);
      const p = new Process({ target: readThenWrite, args: [file, pairs, defaults] });
      p.start();
      assert.equal(await p.join(), 0);
      const got = readReport<{ seen: unknown[]; typecodes: string[]; defaults: unknown[] }>(file);
      assert.deepEqual(got.typecodes, TYPECODES);
      assert.deepEqual(got.seen, ROUND_TRIP.map((row) => row[3]));
      assert.deepEqual(got.defaults, TYPECODES.map(zeroOf));
      ROUND_TRIP.forEach(([typecode, , , , childWrite, expected], i) =>
        assert.equal(values[i].value, expected, `child wrote ${String(childWrite)} to '${typecode}'`),
      );
    });

    test("the seeds' example: Value('d', 0.0) and Array('i', range(10)); the child sets 3.1415927 and negates", async () => {
      const num = new Value('d', 0.0);
      const arr = new MpArray('i', Array.from({ length: 10 }, (_, i) => i));
      const p = new Process({ target: seedNegate, args: [num, arr] });
      p.start();
      assert.equal(await p.join(), 0);
      assert.equal(num.value, 3.1415927);
      assert.deepEqual(arr.slice(), [0, -1, -2, -3, -4, -5, -6, -7, -8, -9]);
    });

    test("the seeds' Value('i', 666), Value('c'), Value('u'): the child writes 888, 'a', '张'", async () => {
      const num = new Value('i', 666);
      const v1 = new Value('c');
      const v2 = new Value('u');
      assert.equal(v1.value, '\0');
      assert.equal(v2.value, '\0');
      const p = new Process({ target: seedChars, args: [num, v1, v2] });
      p.start();
      assert.equal(await p.join(), 0);
      assert.equal(num.value, 888);
      assert.equal(v1.value, 'a');
      assert.equal(v2.value, '张');
    });

    test("the seeds' Array('i', [11, 22, 33, 44]); the child sets element 0 to 666", async () => {
      const arr = new MpArray('i', [11, 22, 33, 44]);
      const p = new Process({ target: seedFirst, args: [arr] });
      p.start();
      assert.equal(await p.join(), 0);
      assert.deepEqual(arr.slice(), [666, 22, 33, 44]);
    });

    test("Array operations in the child: a[-1], slice, toArray, set, out of range, 'c'/'u' .value, RawArray", async (t) => {
      const file = join(tempDir(t), 'array');
      const ints = new SharedArray('i', [1, 2, 3, 4, 5]);
      const chars = new SharedArray('c', 6);
      chars.value = 'abc';
      const wide = new SharedArray('u', 4);
      const raw = new RawArray('q', 3);
      const p = new Process({ target: arrayWork, args: [file, ints, chars, wide, raw] });
      p.start();
      assert.equal(await p.join(), 0);
      const got = readReport<Record<string, unknown>>(file);
      assert.deepEqual(got.before, { length: 5, last: 5, first: 1, slice: [2, 3], all: [1, 2, 3, 4, 5] });
      assert.deepEqual(got.charsBefore, ['a', 'b', 'c', '\0', '\0', '\0']);
      assert.match(got.outOfRange as string, /^RangeError: .*index 5 is out of range/);
      assert.match(got.outOfRangeWrite as string, /^RangeError: .*index -6 is out of range/);
      assert.match(got.rawLock as string, /^TypeError: .*no lock/);
      assert.equal(got.intsLock, true);
      assert.deepEqual(ints.slice(), [1, 70, 80, 4, 99]);
      assert.equal(chars.value, 'hey');
      assert.equal(wide.value, '张三😀');
      assert.deepEqual(raw.slice(), [-(2n ** 40n), 0n, 2n ** 62n]);
    });

    test("a large Array('d', 1_000_000) is summed in the child", async () => {
      const n = 1_000_000;
      const big = new SharedArray('d', n);
      assert.equal(big.length, n);
      const obj = big.getObj() as Float64Array;
      for (let i = 0; i < n; i++) obj[i] = i * 0.5;
      const viaObj = new Value('d');
      const viaSlice = new Value('d');
      const viaIndex = new Value('d');
      const p = new Process({ target: sumArray, args: [big, viaObj, viaSlice, viaIndex] });
      p.start();
      assert.equal(await p.join(), 0);
      const expected = (0.5 * (n - 1) * n) / 2;
      assert.equal(viaObj.value, expected);
      assert.equal(viaSlice.value, expected);
      assert.equal(viaIndex.value, expected);
      assert.equal(big[-1], -(n - 1) * 0.5);
      assert.equal(big[n - 2], (n - 2) * 0.5);
    });

    test('1000 packed Values all arrive working; the child sums and negates them', async () => {
      const values = Array.from({ length: 1000 }, (_, i) => new Value('i', i));
      const total = new Value('q', -1);
      const p = new Process({ target: sumValues, args: [values, total] });
      p.start();
      assert.equal(await p.join(), 0);
      assert.equal(total.value, 499500n);
      values.forEach((v, i) => assert.equal(v.value, 0 - i));
    });

    test('locks cross with their Values: default RLock, a shared given Lock (held here), raw has none', async (t) => {
      const file = join(tempDir(t), 'locks');
      const byDefault = new Value('i');
      const given = new Lock();
      const a = new Value('i', 1, { lock: given });
      const b = new MpArray('d', 2, { lock: given });
      const raw = new RawValue('d', 1);
      assert.equal(given.acquireSync(), true);
      try {
        const p = new Process({ target: lockInfo, args: [file, byDefault, a, b, given, raw] });
        p.start();
        assert.equal(await p.join(30_000), 0);
      } finally {
        given.release();
      }
      assert.deepEqual(readReport(file), {
        defaultIsRLock: true,
        givenIsLock: true,
        sharedLock: true,
        sameAsGiven: true,
        tryA: false,
        tryDefault: true,
        rawLock: 'TypeError: This RawValue has no lock: it was created with { lock: false } (raw)',
      });
      // The child released the default lock it took.
      assert.equal(byDefault.acquireSync({ block: false }), true);
      byDefault.release();
    });

    test('v.value += 1 under the lock from two children and this process loses no update', async () => {
      const counter = new Value('i', 0);
      const times = 2000;
      const children = [0, 1].map(() => new Process({ target: increment, args: [counter, times] }));
      for (const child of children) child.start();
      for (let i = 0; i < times; i++) {
        counter.withLockSync(() => (counter.value += 1));
        if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      for (const child of children) assert.equal(await child.join(60_000), 0);
      assert.equal(counter.value, 3 * times);
    });

    test('getObj() in the child writes the same memory', async () => {
      const value = new Value('d', 0);
      const array = new SharedArray('h', 3);
      const p = new Process({ target: writeObj, args: [value, array] });
      p.start();
      assert.equal(await p.join(), 0);
      assert.equal(value.value, 2.5);
      assert.deepEqual(array.slice(), [-1, -2, -3]);
    });

    test('Values nested in an array, a Map and an object arrive working; the same Value twice is one object', async (t) => {
      const file = join(tempDir(t), 'nested');
      const first = new Value('i', 1);
      const second = new Value('i', 2);
      const array = new SharedArray('i', 2);
      const box = { list: [first, second], map: new Map([['second', second]]), array, again: first };
      const p = new Process({ target: nested, args: [file, box, first] });
      p.start();
      assert.equal(await p.join(), 0);
      assert.deepEqual(readReport(file), { againIsFirst: true, topIsFirst: true, mapIsSecond: true, isValue: true, isArray: true });
      assert.equal(first.value, 2);
      assert.equal(second.value, 13);
      assert.deepEqual(array.slice(), [42, 0]);
    });
  });
}
