/**
 * The manager servers of this process, by address. A proxy that arrives here for one of them
 * (an argument of a call, an item put in a managed list) talks to it directly, without a
 * socket, and the server can reach the object behind it: Python's "manager-owned" proxies.
 */
import type { Address } from '../listener.js';
import { addressKey } from './protocol.js';
import { kClient, type BaseProxy, type ProxyClient } from './proxy.js';

export interface LocalServer {
  /** The client a proxy here uses: requests go straight to the server. */
  readonly client: ProxyClient;
  /** The object an id names, if served. */
  referent(id: string): { readonly object: unknown } | undefined;
}

const servers = new Map<string, LocalServer>();

/** The keys an address is known by here (a TCP server bound to 0.0.0.0 is reached as 127.0.0.1: its port names it). */
export function localKeys(address: Address): string[] {
  return typeof address === 'string' ? [addressKey(address)] : [addressKey(address), `tcp-port:${address[1]}`];
}

export function registerLocalServer(address: Address, server: LocalServer): void {
  for (const key of localKeys(address)) servers.set(key, server);
}

export function unregisterLocalServer(address: Address, server: LocalServer): void {
  for (const key of localKeys(address)) if (servers.get(key) === server) servers.delete(key);
}

/** The server of this process at that address, if any. */
export function localServerAt(address: Address): LocalServer | undefined {
  for (const key of localKeys(address)) {
    const server = servers.get(key);
    if (server !== undefined) return server;
  }
  return undefined;
}

/** What a proxy stands for, when this process is its server (a Condition's lock); else undefined. */
export function localReferent(proxy: BaseProxy): unknown {
  const server = localServerAt(proxy.token.address);
  return server !== undefined && proxy[kClient] === server.client ? server.referent(proxy.token.id)?.object : undefined;
}
