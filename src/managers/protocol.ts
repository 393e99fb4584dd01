/**
 * What a manager's clients and server say to each other over a SocketConnection. Requests
 * carry an id, so that a client's requests are served side by side and each reply finds its
 * caller. A message is a small binary head and then the arguments or the value as
 * reduction.dumps makes them, so a value that cannot be read fails its own request, never the
 * connection, and nothing is serialized twice.
 *
 *   request  [u8 op][u32 id][u16 n][target: n bytes utf-8][u16 m][method: m bytes][args…]
 *            create  target = typeid, args = the callable's     reply R_PROXY: a token
 *            call    target = object id, method, args           reply R_OK | R_ERROR | R_PROXY
 *            getvalue, incref (target = object id), ping, shutdown
 *            decref, transit (target = object id)              no reply (id 0)
 *   reply    [u32 id][u8 status][value…]
 */
import { HEADER_REDUCED } from '../framing.js';
import type { Address } from '../listener.js';
import { createReduceContext, dumps, loads, loadsAsync } from '../reduction.js';

export type Op = 'create' | 'call' | 'getvalue' | 'incref' | 'decref' | 'transit' | 'ping' | 'shutdown';
const ops: readonly Op[] = ['create', 'call', 'getvalue', 'incref', 'decref', 'transit', 'ping', 'shutdown'];

export interface Request {
  readonly id: number;
  readonly op: Op;
  readonly target: string | null;
  readonly method: string | null;
  /** The arguments as dumps() made them (null: none). */
  readonly args: Uint8Array | null;
}

/** The value. */
export const R_OK = 0;
/** The method threw: the error (error-state.ts), raised again in the client as itself. */
export const R_ERROR = 1;
/** The server could not carry the request out: { message, stack }, raised as RemoteError. */
export const R_REMOTE = 2;
/** An object served: its token, for a proxy. */
export const R_PROXY = 3;

/** What names a served object (Python's Token), and how to make its proxy. */
export interface Token {
  readonly typeid: string;
  readonly id: string;
  readonly exposed: readonly string[];
  /** A built-in proxy class's name, or 'AutoProxy'. */
  readonly proxy: string;
}

/** One string per address, for maps. */
export function addressKey(address: Address): string {
  return typeof address === 'string' ? `unix:${address}` : `tcp:${address[0]}:${address[1]}`;
}

export function encodeRequest(id: number, op: Op, target: string | null, method: string | null, args: Uint8Array | null): Uint8Array[] {
  const t = target === null ? 0 : Buffer.byteLength(target);
  const m = method === null ? 0 : Buffer.byteLength(method);
  const head = Buffer.allocUnsafe(9 + t + m);
  head[0] = ops.indexOf(op);
  head.writeUInt32BE(id, 1);
  head.writeUInt16BE(t, 5);
  if (target !== null) head.write(target, 7, 'utf8');
  head.writeUInt16BE(m, 7 + t);
  if (method !== null) head.write(method, 9 + t, 'utf8');
  return args === null ? [head] : [head, args];
}

export function decodeRequest(frame: Buffer): Request {
  const op = ops[frame[0]];
  if (op === undefined) throw new TypeError(`unknown request ${frame[0]}`);
  const t = frame.readUInt16BE(5);
  const m = frame.readUInt16BE(7 + t);
  const rest = 9 + t + m;
  return {
    id: frame.readUInt32BE(1),
    op,
    target: t === 0 ? null : frame.toString('utf8', 7, 7 + t),
    method: m === 0 ? null : frame.toString('utf8', 9 + t, rest),
    args: rest === frame.byteLength ? null : frame.subarray(rest),
  };
}

export function encodeReply(id: number, status: number, value: Uint8Array): Uint8Array[] {
  const head = Buffer.allocUnsafe(5);
  head.writeUInt32BE(id, 0);
  head[4] = status;
  return [head, value];
}

export function decodeReply(frame: Buffer): [id: number, status: number, value: Buffer] {
  return [frame.readUInt32BE(0), frame[4], frame.subarray(5)];
}

// ---- values: most are a few primitives (a key, a number), written here without the generic
// serializer's walks and JSON; anything else is what reduction.dumps makes of it.

/** First byte of an encoded list of primitives, and of one primitive (reduction's headers are 0–2). */
const PRIMITIVES = 0x10;
const PRIMITIVE = 0x11;
const MAX_LIST = 16;
const MAX_STRING = 1 << 16;

function primitiveSize(value: unknown): number {
  switch (typeof value) {
    case 'number':
      return 9;
    case 'string':
      // (UTF-8 cannot carry a lone surrogate: such a string goes by the serializer.)
      return value.length <= MAX_STRING && (value as unknown as { isWellFormed(): boolean }).isWellFormed() ? 5 + 3 * value.length : -1;
    case 'boolean':
    case 'undefined':
      return 1;
    default:
      return value === null ? 1 : -1;
  }
}

function writePrimitive(out: Buffer, at: number, value: unknown): number {
  switch (typeof value) {
    case 'number':
      out[at] = 0x6e; // n
      out.writeDoubleLE(value, at + 1);
      return at + 9;
    case 'string': {
      out[at] = 0x73; // s
      const written = out.write(value, at + 5, 'utf8');
      out.writeUInt32LE(written, at + 1);
      return at + 5 + written;
    }
    case 'boolean':
      out[at] = value ? 0x74 : 0x66; // t, f
      return at + 1;
    case 'undefined':
      out[at] = 0x75; // u
      return at + 1;
    default:
      out[at] = 0x7a; // z: null
      return at + 1;
  }
}

/** Bytes for `value` (null if it is not a primitive, or a short list of them: reduction.dumps then). */
function encodePrimitives(value: unknown): Buffer | null {
  if (Array.isArray(value)) {
    if (value.length > MAX_LIST || Object.getPrototypeOf(value) !== Array.prototype) return null;
    let size = 2;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return null; // a hole is not undefined
      const item = primitiveSize(value[i]);
      if (item < 0) return null;
      size += item;
    }
    const out = Buffer.allocUnsafe(size);
    out[0] = PRIMITIVES;
    out[1] = value.length;
    let at = 2;
    for (const item of value) at = writePrimitive(out, at, item);
    return out.subarray(0, at);
  }
  const size = primitiveSize(value);
  if (size < 0) return null;
  const out = Buffer.allocUnsafe(1 + size);
  out[0] = PRIMITIVE;
  return out.subarray(0, writePrimitive(out, 1, value));
}

function readPrimitive(bytes: Buffer, at: number): [value: unknown, next: number] {
  switch (bytes[at]) {
    case 0x6e:
      return [bytes.readDoubleLE(at + 1), at + 9];
    case 0x73: {
      const length = bytes.readUInt32LE(at + 1);
      return [bytes.toString('utf8', at + 5, at + 5 + length), at + 5 + length];
    }
    case 0x74:
      return [true, at + 1];
    case 0x66:
      return [false, at + 1];
    case 0x75:
      return [undefined, at + 1];
    default:
      return [null, at + 1];
  }
}

/** A value's bytes: the arguments of a request, or a reply's value. */
export function encodeValue(value: unknown, what: string): Uint8Array {
  if (value === undefined) return EMPTY;
  return encodePrimitives(value) ?? dumps(value, createReduceContext('spawn'), what);
}

const EMPTY = new Uint8Array(0);

/** A value encodeValue() made (no bytes: undefined): at once, unless library objects whose modules are not loaded here must be imported first. */
export function decodeValue(bytes: Uint8Array): unknown {
  if (bytes.byteLength === 0) return undefined;
  if (bytes[0] === PRIMITIVES || bytes[0] === PRIMITIVE) {
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes[0] === PRIMITIVE) return readPrimitive(buffer, 1)[0];
    const values = new Array<unknown>(buffer[1]);
    for (let i = 0, at = 2; i < values.length; i++) [values[i], at] = readPrimitive(buffer, at);
    return values;
  }
  return bytes[0] === HEADER_REDUCED ? loadsAsync(bytes, createReduceContext('spawn')) : loads(bytes, createReduceContext('spawn'));
}
