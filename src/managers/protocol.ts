/**
 * What a manager's clients and server say to each other over a SocketConnection. Requests
 * carry an id, so that a client's requests are served side by side and each reply finds its
 * caller. Arguments and values travel as bytes of their own (reduction.dumps), so a value that
 * cannot be read fails its own request, never the connection.
 *
 *   request  [id, 'create', typeid, null, args]         a new object: reply R_PROXY, its token
 *            [id, 'call', objectId, method, args]       reply R_OK value | R_ERROR error | R_PROXY
 *            [id, 'getvalue', objectId]                 a copy of the object
 *            [id, 'incref', objectId]                   one more reference for this connection
 *            [0, 'decref', objectId]                    one less (no reply)
 *            [0, 'transit', objectId]                   keep it a while: a proxy is on its way
 *            [id, 'ping'] / [id, 'shutdown']
 *   reply    [id, status, bytes]
 */
import type { Address } from '../listener.js';

export type Op = 'create' | 'call' | 'getvalue' | 'incref' | 'decref' | 'transit' | 'ping' | 'shutdown';
export type Request = [id: number, op: Op, target?: string | null, method?: string | null, args?: Uint8Array | null];
export type Reply = [id: number, status: number, value: Uint8Array];

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
