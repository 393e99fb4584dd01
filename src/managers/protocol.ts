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
import { createReduceContext, loads, loadsAsync } from '../reduction.js';

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

/** A value dumps() made: at once, unless library objects whose modules are not loaded here must be imported first. */
export function decodeValue(bytes: Uint8Array): unknown {
  return bytes[0] === HEADER_REDUCED ? loadsAsync(bytes, createReduceContext('spawn')) : loads(bytes, createReduceContext('spawn'));
}
