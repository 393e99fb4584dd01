/**
 * How one message is laid out in a channel (see channel.ts): a kind and its payload bytes.
 *
 * The common small messages (numbers, strings, null, booleans, Buffers) are written straight
 * into shared memory and read straight out of it: v8.serialize alone costs about 2 µs, longer
 * than a whole put+get should take. Everything else goes through reduction.ts (structured clone
 * and library objects such as a Connection sent through a Queue).
 */
import { HEADER_REDUCED, jsonExact } from './framing.js';
import { createReduceContext, dumps, loads, loadsAsync } from './reduction.js';

export const K_UNDEFINED = 1;
export const K_NULL = 2;
export const K_TRUE = 3;
export const K_FALSE = 4;
export const K_NUMBER = 5;
export const K_STRING = 6;
export const K_BUFFER = 7;
export const K_UINT8 = 8;
export const K_SERIALIZED = 9;
/** A string written by the ASCII fast path: read back as latin1, cheaper than UTF-8. */
export const K_ASCII = 10;
/** Plain data JSON carries exactly (framing.jsonExact), as JSON text: 5× cheaper than v8.serialize. */
export const K_JSON = 11;
/** A list of numbers as float64s (exact, NaN and -0 included): read back as a plain array. */
export const K_NUMBERS = 12;
/**
 * A few numbers, then a long run of them copied as one block (a map's chunk): read back as a
 * plain array of the few with one Float64Array of the run at its end. Payload: the count of
 * the few, the few, the run, all float64s.
 */
export const K_PACKED = 13;

/** Node's Buffer methods without the encoding switch (stable internals, typed here). */
interface FastBuffer extends Buffer {
  utf8Write(text: string, offset: number, length: number): number;
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

/** ES2024, in Node ≥ 20. */
interface WellFormed {
  isWellFormed(): boolean;
}

/** Strings up to this length try a JavaScript ASCII copy before Node's UTF-8 encoder (2× faster). */
const SHORT_STRING = 64;

/** Strings up to this length are encoded straight into the channel (3 bytes per UTF-16 unit at most). */
const DIRECT_STRING = 4096;

/** A message ready to be written: its kind, an upper bound of its size, and what to copy. */
export interface Outgoing {
  kind: number;
  /** Upper bound of the payload's bytes (exact except for directly written strings). */
  size: number;
  bytes: Uint8Array | null;
  text: string | null;
  number: number;
  numbers: number[] | null;
}

const context = createReduceContext('spawn');

export function encode(value: unknown, what: string): Outgoing {
  switch (typeof value) {
    case 'number':
      return { kind: K_NUMBER, size: 8, bytes: null, text: null, number: value, numbers: null };
    case 'string':
      // UTF-8 cannot carry a lone surrogate; structured clone can.
      if (!(value as unknown as WellFormed).isWellFormed()) break;
      if (value.length <= DIRECT_STRING) return { kind: K_STRING, size: value.length * 3, bytes: null, text: value, number: 0, numbers: null };
      return withSize({ kind: K_STRING, size: 0, bytes: Buffer.from(value, 'utf8'), text: null, number: 0, numbers: null });
    case 'undefined':
      return { kind: K_UNDEFINED, size: 0, bytes: null, text: null, number: 0, numbers: null };
    case 'boolean':
      return { kind: value ? K_TRUE : K_FALSE, size: 0, bytes: null, text: null, number: 0, numbers: null };
    case 'object': {
      if (value === null) return { kind: K_NULL, size: 0, bytes: null, text: null, number: 0, numbers: null };
      if (Buffer.isBuffer(value)) return withSize({ kind: K_BUFFER, size: 0, bytes: value, text: null, number: 0, numbers: null });
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto === Uint8Array.prototype) return withSize({ kind: K_UINT8, size: 0, bytes: value as Uint8Array, text: null, number: 0, numbers: null });
      if ((proto === Object.prototype || proto === Array.prototype) && jsonExact(value, 256, false)) {
        return encodeJson(JSON.stringify(value));
      }
    }
  }
  return withSize({ kind: K_SERIALIZED, size: 0, bytes: dumps(value, context, what), text: null, number: 0, numbers: null });
}

/** JSON text the caller built of values JSON carries exactly: delivered parsed. */
export function encodeJson(text: string): Outgoing {
  if (text.length <= DIRECT_STRING) return { kind: K_JSON, size: text.length * 3, bytes: null, text, number: 0, numbers: null };
  return withSize({ kind: K_JSON, size: 0, bytes: Buffer.from(text, 'utf8'), text: null, number: 0, numbers: null });
}

/** Lists at least this long are copied by the engine (a Float64Array), not number by number. */
export const BULK_NUMBERS = 64;

/**
 * A list of numbers: `head`, then `tail` if given (read when the message is written; a short
 * tail is appended to `head`, a fresh array of the caller's). Delivered as one plain array, except a tail that is a Float64Array or long:
 * that one arrives as a Float64Array at the end of the head's numbers (K_PACKED).
 */
export function encodeNumbers(head: number[], tail?: readonly number[] | Float64Array): Outgoing {
  if (tail === undefined) return { kind: K_NUMBERS, size: 8 * head.length, bytes: null, text: null, number: 0, numbers: head };
  if (!(tail instanceof Float64Array) && tail.length < BULK_NUMBERS) {
    for (let i = 0; i < tail.length; i++) head.push(tail[i]); // (concat() costs more than the whole rest of a put)
    return { kind: K_NUMBERS, size: 8 * head.length, bytes: null, text: null, number: 0, numbers: head };
  }
  // Copied by the engine, never number by number: fast before the JIT has warmed up.
  const floats = tail instanceof Float64Array ? tail : new Float64Array(tail);
  const bytes = new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength);
  return { kind: K_PACKED, size: 8 * (1 + head.length) + bytes.byteLength, bytes, text: null, number: 0, numbers: head };
}

/**
 * Whether JSON carries this value exactly, for values that are not objects: finite numbers
 * but -0, strings (JSON.stringify escapes lone surrogates), booleans and null.
 */
export function isJsonPrimitive(value: unknown): boolean {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) && (value !== 0 || 1 / value > 0);
    case 'string':
    case 'boolean':
      return true;
    default:
      return value === null;
  }
}

/** Raw bytes (Connection.sendBytes): delivered as a Buffer. */
export function encodeBytes(bytes: Uint8Array): Outgoing {
  return withSize({ kind: K_BUFFER, size: 0, bytes, text: null, number: 0, numbers: null });
}

function withSize(message: Outgoing): Outgoing {
  message.size = message.bytes!.byteLength;
  return message;
}

/** Writes the payload at `at` of `target` (room for `message.size` bytes); returns its real size. */
export function writePayload(target: Buffer, view: DataView, at: number, message: Outgoing): number {
  const numbers = message.numbers;
  if (numbers !== null) {
    if (message.kind === K_PACKED) {
      view.setFloat64(at, numbers.length, true);
      at += 8;
    }
    for (let i = 0; i < numbers.length; i++) view.setFloat64(at + 8 * i, numbers[i], true);
    if (message.bytes !== null) target.set(message.bytes, at + 8 * numbers.length);
    return message.size;
  }
  if (message.bytes !== null) {
    target.set(message.bytes, at);
    return message.bytes.byteLength;
  }
  const text = message.text;
  if (text !== null) {
    if (text.length <= SHORT_STRING) {
      const written = asciiWrite(target, at, text);
      if (written >= 0) {
        if (message.kind === K_STRING) message.kind = K_ASCII;
        return written;
      }
    }
    return (target as FastBuffer).utf8Write(text, at, message.size);
  }
  if (message.kind === K_NUMBER) view.setFloat64(at, message.number, true);
  return message.size;
}

/** A message's value. Must finish reading `source` before the record is released (it is). */
export function decode(source: Buffer, view: DataView, at: number, size: number, kind: number): unknown {
  switch (kind) {
    case K_NUMBER:
      return view.getFloat64(at, true);
    case K_ASCII:
      return (source as FastBuffer).latin1Slice(at, at + size);
    case K_STRING:
      return (source as FastBuffer).utf8Slice(at, at + size);
    case K_JSON:
      return JSON.parse((source as FastBuffer).utf8Slice(at, at + size));
    case K_NUMBERS: {
      // Short (long runs are K_PACKED): read through the view, no typed array made per message.
      const count = size >>> 3;
      const numbers = new Array<number>(count);
      for (let i = 0; i < count; i++) numbers[i] = view.getFloat64(at + 8 * i, true);
      return numbers;
    }
    case K_PACKED: {
      const count = view.getFloat64(at, true);
      const values = new Array<unknown>(count + 1);
      for (let i = 0; i < count; i++) values[i] = view.getFloat64(at + 8 + 8 * i, true);
      const run = at + 8 + 8 * count;
      values[count] = new Float64Array(source.buffer, source.byteOffset + run, (size - (run - at)) >>> 3).slice(); // its own memory
      return values;
    }
    case K_UNDEFINED:
      return undefined;
    case K_NULL:
      return null;
    case K_TRUE:
      return true;
    case K_FALSE:
      return false;
    case K_BUFFER:
      return copyOut(source, at, size, false);
    case K_UINT8:
      return new Uint8Array(copyOut(source, at, size, true).buffer, 0, size);
    case K_SERIALIZED:
      // Copied out first: v8.deserialize would hand out views into the channel's memory.
      return loads(Buffer.from(source.subarray(at, at + size)), context);
  }
  throw new Error(`multiprocessing-ts: corrupt message of kind ${kind} in a channel`);
}

/**
 * Like decode, but a message holding library objects whose modules are not loaded here yet
 * has them imported first. The bytes are read before this returns, the rebuild may come later.
 */
export function decodeAsync(source: Buffer, view: DataView, at: number, size: number, kind: number): unknown {
  if (kind === K_SERIALIZED && size > 0 && source[at] === HEADER_REDUCED) {
    return loadsAsync(Buffer.from(source.subarray(at, at + size)), context);
  }
  return decode(source, view, at, size, kind);
}

/** The payload as bytes (recvBytes of a message sent with send()). */
export function payloadBytes(source: Buffer, at: number, size: number): Buffer {
  return copyOut(source, at, size, false);
}

/** Copies an ASCII string byte by byte; -1 (nothing promised about target) at the first other character. */
function asciiWrite(target: Uint8Array, at: number, text: string): number {
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return -1;
    target[at + i] = code;
  }
  return length;
}

/** A copy of the bytes; `own`: in an ArrayBuffer of its own (not a slice of Node's pool). */
function copyOut(source: Buffer, at: number, size: number, own: boolean): Buffer {
  const out = own ? Buffer.allocUnsafeSlow(size) : Buffer.allocUnsafe(size);
  out.set(source.subarray(at, at + size)); // TypedArray#set: about twice as fast as Buffer#copy here
  return out;
}
