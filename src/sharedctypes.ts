/**
 * Value and Array in shared memory (Python's multiprocessing.sharedctypes), typed by Python's
 * typecodes. Single elements are read and written atomically, so no lock is needed to see a
 * whole value; the lock (an RLock unless told otherwise) is for read-modify-write sequences
 * such as `v.value += 1`, and is taken by the multi-element operations (slice, set, toArray).
 */
import { futexBinding } from './futex.js';
import { attachTo, blockFrom, blockState, claim, type Block, type BlockState } from './heap.js';
import { registerReducer } from './reduction.js';
import type { AcquireOptions, Held, SyncAcquireOptions } from './synchronize/acquirable.js';
import { Lock, RLock, kIsOwned } from './synchronize/lock.js';
import { inspectCustom } from './util.js';

/** Python's array typecodes: char, wchar, (un)signed 8/16/32/64-bit integers, float, double. */
export type Typecode = 'c' | 'u' | 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q' | 'f' | 'd';

/** The JavaScript type of one element: a 1-character string, a bigint (64-bit), or a number. */
export type TypecodeValue<C extends Typecode> = C extends 'c' | 'u'
  ? string
  : C extends 'l' | 'L' | 'q' | 'Q'
    ? bigint
    : number;

/** What an element accepts: its own type, or for numeric typecodes any integer/number/bigint. */
export type TypecodeInput<C extends Typecode> = C extends 'c'
  ? string | number | Uint8Array
  : C extends 'u'
    ? string
    : number | bigint;

/** The typed array over an object's shared memory, by typecode. */
export type TypedArrayOf<C extends Typecode> = C extends 'c' | 'B'
  ? Uint8Array
  : C extends 'u' | 'I'
    ? Uint32Array
    : C extends 'b'
      ? Int8Array
      : C extends 'h'
        ? Int16Array
        : C extends 'H'
          ? Uint16Array
          : C extends 'i'
            ? Int32Array
            : C extends 'l' | 'q'
              ? BigInt64Array
              : C extends 'L' | 'Q'
                ? BigUint64Array
                : C extends 'f'
                  ? Float32Array
                  : Float64Array;

type View =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

type AnyValue = string | number | bigint;

interface Codec {
  readonly View: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): View; readonly BYTES_PER_ELEMENT: number };
  readonly kind: 'char' | 'wchar' | 'int' | 'bigint' | 'float';
}

const codecs: Record<Typecode, Codec> = {
  c: { View: Uint8Array, kind: 'char' },
  u: { View: Uint32Array, kind: 'wchar' },
  b: { View: Int8Array, kind: 'int' },
  B: { View: Uint8Array, kind: 'int' },
  h: { View: Int16Array, kind: 'int' },
  H: { View: Uint16Array, kind: 'int' },
  i: { View: Int32Array, kind: 'int' },
  I: { View: Uint32Array, kind: 'int' },
  l: { View: BigInt64Array, kind: 'bigint' },
  L: { View: BigUint64Array, kind: 'bigint' },
  q: { View: BigInt64Array, kind: 'bigint' },
  Q: { View: BigUint64Array, kind: 'bigint' },
  f: { View: Float32Array, kind: 'float' },
  d: { View: Float64Array, kind: 'float' },
};

function codecOf(typecode: unknown, what: string): Codec {
  if (typeof typecode !== 'string' || !Object.hasOwn(codecs, typecode)) {
    throw new TypeError(`${what}: unknown typecode ${JSON.stringify(typecode)}; use one of ${Object.keys(codecs).join(' ')}`);
  }
  return codecs[typecode as Typecode];
}

/**
 * Converts a JavaScript value to what the view stores; wraps integers as ctypes does. `label`
 * and `index` name the element in error messages, built only then: this runs on every write.
 */
function encode(codec: Codec, value: unknown, label: string, index?: number | string): number | bigint {
  const what = (): string => (index === undefined ? label : `${label}[${index}]`);
  switch (codec.kind) {
    case 'char':
      if (typeof value === 'string' && value.length === 1 && value.charCodeAt(0) < 256) return value.charCodeAt(0);
      if (value instanceof Uint8Array && value.length === 1) return value[0];
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 256) return value;
      throw new TypeError(`${what()}: a 'c' element is one byte: a 1-character string (code < 256), got ${describe(value)}`);
    case 'wchar':
      if (typeof value === 'string' && value.length > 0 && [...value].length === 1) return value.codePointAt(0)!;
      throw new TypeError(`${what()}: a 'u' element is one character, got ${describe(value)}`);
    case 'int':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      // Wrapped at the element's width first: Number() of a huge bigint would lose the low bits.
      if (typeof value === 'bigint') return Number(BigInt.asUintN(codec.View.BYTES_PER_ELEMENT * 8, value));
      throw new TypeError(`${what()}: expected an integer, got ${describe(value)}`);
    case 'bigint':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
      throw new TypeError(`${what()}: expected a bigint or an integer number, got ${describe(value)}`);
    case 'float':
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      throw new TypeError(`${what()}: expected a number, got ${describe(value)}`);
  }
}

function decode(codec: Codec, raw: number | bigint): AnyValue {
  if (codec.kind === 'char') return String.fromCharCode(raw as number);
  if (codec.kind === 'wchar') return String.fromCodePoint(raw as number);
  return raw;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return typeof value === 'object' && value !== null ? Object.prototype.toString.call(value) : String(value);
}

function load(codec: Codec, view: View, index: number): AnyValue {
  // Floats have no Atomics; an aligned 4- or 8-byte load is whole on the platforms we run on.
  const raw = codec.kind === 'float' ? view[index] : Atomics.load(view as Int32Array, index);
  return decode(codec, raw);
}

function store(view: View, codec: Codec, index: number, raw: number | bigint): void {
  if (codec.kind === 'float') view[index] = raw as number;
  else Atomics.store(view as Int32Array, index, raw as number);
}

export interface SharedCtypeOptions {
  /**
   * true (default): a new RLock guards the object; false: no lock (a raw object); or a given
   * Lock or RLock, e.g. shared by several objects.
   */
  readonly lock?: boolean | Lock | RLock;
}

function lockOf(options: SharedCtypeOptions | undefined, what: string): Lock | RLock | null {
  const lock = options?.lock ?? true;
  if (lock === true) return new RLock();
  if (lock === false) return null;
  if (lock instanceof Lock || lock instanceof RLock) return lock;
  throw new TypeError(`${what}: lock must be true, false, a Lock or an RLock`);
}

const kInternals = Symbol('internals');

interface Internals {
  readonly typecode: Typecode;
  /** How errors name the object's elements: "Value('i').value", "SharedArray('d')". */
  readonly label: string;
  readonly codec: Codec;
  readonly block: Block;
  readonly view: View;
  readonly lock: Lock | RLock | null;
}

// Being rebuilt in a receiving process (see the reducers).
let rebuiltLock: Lock | RLock | null | undefined;

function internals(
  typecode: Typecode,
  length: number,
  options: SharedCtypeOptions | undefined,
  what: string,
  label: string,
): Internals & { fresh: boolean } {
  futexBinding(what);
  const codec = codecOf(typecode, what);
  const lock = rebuiltLock !== undefined ? rebuiltLock : lockOf(options, what);
  rebuiltLock = undefined;
  const bytes = codec.View.BYTES_PER_ELEMENT * length;
  const { block, fresh } = claim(bytes, 8, what);
  const view = new codec.View(block.arena.buffer, block.offset, length);
  return { typecode, label, codec, block, view, lock, fresh };
}

/** Lock-delegating methods shared by Value and SharedArray (Python's Synchronized wrapper). */
abstract class Synchronized<C extends Typecode> {
  abstract readonly [kInternals]: Internals;

  /** The lock guarding this object. Throws for a raw object (`lock: false`). */
  getLock(): Lock | RLock {
    const lock = this[kInternals].lock;
    if (lock === null) {
      throw new TypeError(`This ${this.constructor.name} has no lock: it was created with { lock: false } (raw)`);
    }
    return lock;
  }

  acquire(options?: AcquireOptions): Promise<boolean> {
    return this.getLock().acquire(options);
  }

  acquireSync(options?: SyncAcquireOptions): boolean {
    return this.getLock().acquireSync(options);
  }

  release(): void {
    this.getLock().release();
  }

  /** Python's `with v.get_lock():` — runs fn holding the lock. */
  withLock<T>(fn: () => T | Promise<T>, options?: AcquireOptions): Promise<T> {
    return this.getLock().withLock(fn, options);
  }

  withLockSync<T>(fn: () => T, options?: SyncAcquireOptions): T {
    return this.getLock().withLockSync(fn, options);
  }

  hold(options?: AcquireOptions): Promise<Held> {
    return this.getLock().hold(options);
  }

  holdSync(options?: SyncAcquireOptions): Held {
    return this.getLock().holdSync(options);
  }

  /** The underlying typed array over shared memory: the fastest access, never locked. */
  getObj(): TypedArrayOf<C> {
    return this[kInternals].view as TypedArrayOf<C>;
  }

  /** Runs fn under the lock unless this thread holds it already (or there is none). */
  protected locked<T>(fn: () => T): T {
    const lock = this[kInternals].lock;
    if (lock === null || lock[kIsOwned]()) return fn();
    return lock.withLockSync(fn);
  }
}

/** One typed value in shared memory: `new Value('i', 0)`, then `v.value += 1` under its lock. */
export class Value<C extends Typecode = Typecode> extends Synchronized<C> {
  readonly [kInternals]: Internals;

  constructor(typecode: C, value?: NoInfer<TypecodeInput<C>>, options?: SharedCtypeOptions) {
    super();
    const made = internals(typecode, 1, options, new.target.name, `${new.target.name}('${typecode}').value`);
    this[kInternals] = made;
    if (made.fresh && value !== undefined) store(made.view, made.codec, 0, encode(made.codec, value, `${new.target.name}('${typecode}')`));
  }

  get typecode(): C {
    return this[kInternals].typecode as C;
  }

  get value(): TypecodeValue<C> {
    const { codec, view } = this[kInternals];
    return load(codec, view, 0) as TypecodeValue<C>;
  }

  set value(value: TypecodeInput<C>) {
    const { codec, view } = this[kInternals];
    store(view, codec, 0, encode(codec, value, this[kInternals].label));
  }

  [inspectCustom](): string {
    return `${this.constructor.name}('${this.typecode}', ${describe(this.value)})`;
  }
}

/** A Value without a lock (Python's RawValue). */
export class RawValue<C extends Typecode = Typecode> extends Value<C> {
  constructor(typecode: C, value?: NoInfer<TypecodeInput<C>>) {
    super(typecode, value, { lock: false });
  }
}

// Methods run with `this` = the proxy, so SharedArray uses no #private names (a proxy has none).
const arrayHandler: ProxyHandler<SharedArray> = {
  get(target, key) {
    if (typeof key === 'string') {
      const index = indexOf(key);
      if (index !== null) return target.at(index);
    }
    return Reflect.get(target, key, target);
  },
  set(target, key, value) {
    if (typeof key === 'string') {
      const index = indexOf(key);
      if (index !== null) {
        target.setItem(index, value);
        return true;
      }
    }
    return Reflect.set(target, key, value, target);
  },
  has(target, key) {
    if (typeof key === 'string') {
      const index = indexOf(key);
      if (index !== null) return index >= -target.length && index < target.length;
    }
    return Reflect.has(target, key);
  },
};

/** A Python-style index (negative counts from the end) checked against the length. */
function checkIndex(index: number, length: number): number {
  const i = index < 0 ? index + length : index;
  if (!Number.isInteger(i) || i < 0 || i >= length) {
    throw new RangeError(`SharedArray index ${index} is out of range (length ${length})`);
  }
  return i;
}

/** An integer property key ("3", "-1"), or null. Parsed by hand: this is every a[i]. */
function indexOf(key: string): number | null {
  const length = key.length;
  const negative = key.charCodeAt(0) === 45;
  const first = negative ? 1 : 0;
  if (length === first || length - first > 15) return null;
  if (key.charCodeAt(first) === 48 && length - first > 1) return null; // "01" is not an index
  let index = 0;
  for (let i = first; i < length; i++) {
    const digit = key.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return null;
    index = index * 10 + digit;
  }
  return negative ? -index : index;
}

/**
 * A fixed-length typed array in shared memory (Python's multiprocessing.Array): index it like
 * a list (`a[i] = -a[i]`, `a[-1]`), copy it with `slice()` (Python's `a[:]`).
 */
export class SharedArray<C extends Typecode = Typecode> extends Synchronized<C> implements Iterable<TypecodeValue<C>> {
  readonly [kInternals]: Internals;
  // Reads give TypecodeValue<C>; writes also take TypecodeInput<C> (checked at run time).
  [index: number]: TypecodeValue<C>;

  /** `sizeOrInit`: a length (zero-filled) or the initial elements. */
  constructor(typecode: C, sizeOrInit: number | Iterable<NoInfer<TypecodeInput<C>>>, options?: SharedCtypeOptions) {
    super();
    const what = `${new.target.name}('${typecode}')`;
    const initial = typeof sizeOrInit === 'number' ? null : [...(sizeOrInit as Iterable<unknown>)];
    const length = initial?.length ?? (sizeOrInit as number);
    if (!Number.isInteger(length) || length < 0) {
      throw new TypeError(`${what}: the size must be a non-negative integer or an iterable of initial elements`);
    }
    const made = internals(typecode, length, options, new.target.name, what);
    this[kInternals] = made;
    if (made.fresh && initial !== null) {
      initial.forEach((item, i) => store(made.view, made.codec, i, encode(made.codec, item, what, i)));
    }
    return new Proxy(this, arrayHandler as ProxyHandler<this>);
  }

  get typecode(): C {
    return this[kInternals].typecode as C;
  }

  get length(): number {
    return this[kInternals].view.length;
  }

  /** Element `index`; negative counts from the end. Throws RangeError outside the array. */
  at(index: number): TypecodeValue<C> {
    const { codec, view } = this[kInternals];
    return load(codec, view, checkIndex(index, view.length)) as TypecodeValue<C>;
  }

  setItem(index: number, value: TypecodeInput<C>): void {
    const { codec, view } = this[kInternals];
    const i = checkIndex(index, view.length);
    store(view, codec, i, encode(codec, value, this[kInternals].label, index));
  }

  /** A copy of elements start…end (Python's `a[start:end]`), under the lock. */
  slice(start?: number, end?: number): TypecodeValue<C>[] {
    const { codec, view } = this[kInternals];
    return this.locked(() => Array.from(view.subarray(start, end) as ArrayLike<number | bigint>, (raw) => decode(codec, raw))) as TypecodeValue<C>[];
  }

  toArray(): TypecodeValue<C>[] {
    return this.slice();
  }

  /** Writes `values` from `start` on (Python's `a[start:start+n] = values`), under the lock. */
  set(values: Iterable<TypecodeInput<C>>, start = 0): void {
    const { codec, view, typecode } = this[kInternals];
    const items = [...values];
    if (!Number.isInteger(start) || start < 0 || start + items.length > view.length) {
      throw new RangeError(`SharedArray('${typecode}').set(): ${items.length} values from ${start} do not fit in length ${view.length}`);
    }
    const raws = items.map((item, i) => encode(codec, item, `SharedArray('${typecode}')`, start + i));
    this.locked(() => raws.forEach((raw, i) => store(view, codec, start + i, raw)));
  }

  /** For 'c' and 'u' arrays: the text up to the first NUL (ctypes' `.value`). */
  get value(): string {
    const { codec, view } = this[kInternals];
    if (codec.kind !== 'char' && codec.kind !== 'wchar') {
      throw new TypeError(`SharedArray('${this.typecode}'): .value exists for 'c' and 'u' arrays only; use slice()`);
    }
    const codes = this.locked(() => Array.from(view as Uint8Array | Uint32Array));
    const end = codes.indexOf(0);
    return String.fromCodePoint(...(end < 0 ? codes : codes.slice(0, end)));
  }

  set value(text: string) {
    const { codec, view, typecode } = this[kInternals];
    if (codec.kind !== 'char' && codec.kind !== 'wchar') {
      throw new TypeError(`SharedArray('${typecode}'): .value exists for 'c' and 'u' arrays only; use set()`);
    }
    const chars = [...String(text)];
    if (chars.length > view.length) throw new RangeError(`SharedArray('${typecode}').value: "${text}" is longer than ${view.length}`);
    const raws = chars.map((char, i) => encode(codec, char, `SharedArray('${typecode}').value`, i) as number);
    this.locked(() => {
      (view as Uint8Array).fill(0);
      raws.forEach((raw, i) => (view[i] = raw));
    });
  }

  *[Symbol.iterator](): Iterator<TypecodeValue<C>> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  [inspectCustom](): string {
    return `${this.constructor.name}('${this.typecode}', [${this.slice().map(describe).join(', ')}])`;
  }
}

/** A SharedArray without a lock (Python's RawArray). */
export class RawArray<C extends Typecode = Typecode> extends SharedArray<C> {
  constructor(typecode: C, sizeOrInit: number | Iterable<NoInfer<TypecodeInput<C>>>) {
    super(typecode, sizeOrInit, { lock: false });
  }
}

interface SharedCtypeState {
  typecode: Typecode;
  length: number;
  block: BlockState;
  lock: Lock | RLock | null;
}

for (const cls of [Value, RawValue, SharedArray, RawArray] as const) {
  const isArray = cls === SharedArray || cls === RawArray;
  registerReducer<Value | SharedArray, SharedCtypeState>({
    type: `multiprocessing-ts:${cls.name}`,
    module: import.meta.url,
    cls: cls as unknown as abstract new () => Value | SharedArray,
    reduce: (object) => {
      const { typecode, view, block, lock } = object[kInternals];
      return { typecode, length: view.length, block: blockState(block), lock };
    },
    rebuild: (state) =>
      attachTo(blockFrom(state.block, cls.name), () => {
        rebuiltLock = state.lock;
        return isArray
          ? new (cls as typeof SharedArray)(state.typecode, state.length, { lock: state.lock ?? false })
          : new (cls as typeof Value)(state.typecode, undefined, { lock: state.lock ?? false });
      }),
  });
}
