/**
 * A manager's server (Python's managers.Server): it holds objects and serves the proxies of
 * every connected client, each request on its own, so a client waiting (for a lock, a queue's
 * next item) never holds up another.
 *
 * The objects are kept while some client holds a reference: each connection counts its own,
 * and a connection that ends gives back all of its references (Python counts per proxy and
 * leaks what a killed client held). A proxy on its way to another process holds a transit
 * reference for a while, so the object outlives the sender's proxy until the receiver has
 * its own.
 */
import { errorState } from '../error-state.js';
import { EOFError } from '../errors.js';
import { Listener, authenticate, type Address } from '../listener.js';
import { createReduceContext, dumps, loadsAsync } from '../reduction.js';
import { explicitReference, type ModuleReference, type ResolvedReference } from '../reference.js';
import type { SocketConnection } from '../socket-connection.js';
import { importFunction } from '../spawn/target.js';
import { asCaller, isCallerAware, kCallerGone } from './caller.js';
import { referentValue } from './referents.js';
import { R_ERROR, R_OK, R_PROXY, R_REMOTE, addressKey, type Reply, type Request, type Token } from './protocol.js';

export type Callable = (...args: never[]) => unknown;

/** One registered type, as the server needs it. */
export interface TypeSpec {
  readonly typeid: string;
  /** What makes the object, or its reference; null: objects of this type come only as method results. */
  readonly callable: Callable | ModuleReference | ResolvedReference | null;
  /** Methods a proxy may call; null: the object's public methods. */
  readonly exposed: readonly string[] | null;
  /** Methods whose results are served as objects of another type (a proxy goes back). */
  readonly methodToTypeid: Readonly<Record<string, string>>;
  /** The proxy class a client makes: a built-in proxy's name, or 'AutoProxy'. */
  readonly proxy: string;
}

/** How long a proxy in transit keeps its object alive without a holder (a child's start-up, a queued message). */
const TRANSIT_MS = 60_000;

interface Entry {
  readonly object: unknown;
  readonly spec: TypeSpec;
  readonly exposed: ReadonlySet<string>;
  readonly token: Token;
  /** References by connection. */
  readonly refs: Map<number, number>;
  transit: number;
}

/** Servers of this process by address: a proxy rebuilt here refers to the object itself. */
const local = new Map<string, Server>();

/** The object a proxy names, if this process serves it (else undefined). */
export function localObject(address: Address, id: string): { object: unknown } | undefined {
  // (A TCP server bound to 0.0.0.0 is reached as 127.0.0.1: a port names it in this process.)
  const server = local.get(addressKey(address)) ?? (typeof address === 'string' ? undefined : local.get(`tcp-port:${address[1]}`));
  return server?.objectOf(id);
}

/** Public methods: functions reachable on the object, but the constructor and names starting with '_'. */
export function publicMethods(object: unknown): string[] {
  const names = new Set<string>();
  for (let o = object as object | null; o !== null && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name === 'constructor' || name.startsWith('_')) continue;
      const descriptor = Object.getOwnPropertyDescriptor(o, name);
      if (descriptor !== undefined && typeof descriptor.value === 'function') names.add(name);
    }
  }
  return [...names];
}

class RemoteFailure extends Error {}

export class Server {
  readonly #registry: ReadonlyMap<string, TypeSpec>;
  readonly #listener: Listener;
  readonly #authkey: Uint8Array | null;
  readonly #objects = new Map<string, Entry>();
  /** The id an object already served has (the same queue asked for twice is one object). */
  readonly #ids = new Map<unknown, string>();
  readonly #callables = new Map<string, Promise<(...args: unknown[]) => unknown>>();
  readonly #connections = new Set<SocketConnection>();
  #nextId = 1;
  #nextCaller = 1;
  #serving: Promise<void> | null = null;
  #stop: () => void = () => {};
  #stopped = false;
  readonly ready: Promise<void>;

  constructor(registry: ReadonlyMap<string, TypeSpec>, address: Address | null, authkey: Uint8Array | null) {
    this.#registry = registry;
    this.#authkey = authkey;
    this.#listener = new Listener(address);
    this.ready = this.#listener.ready.then(() => {
      for (const key of this.#keys()) local.set(key, this);
    });
  }

  get address(): Address {
    return this.#listener.address;
  }

  /** Serves until shutdown() (or a client's shutdown request): Python's serve_forever(). */
  serveForever(): Promise<void> {
    this.#serving ??= this.#run();
    return this.#serving;
  }

  /** Stops serving: the listener closes and so does every client's connection. */
  shutdown(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#listener.close();
    for (const connection of this.#connections) connection.close();
    for (const key of this.#keys()) if (local.get(key) === this) local.delete(key);
    this.#stop();
  }

  objectOf(id: string): { object: unknown } | undefined {
    const entry = this.#objects.get(id);
    return entry === undefined ? undefined : { object: entry.object };
  }

  async #run(): Promise<void> {
    await this.ready;
    const stopped = new Promise<void>((resolve) => (this.#stop = resolve));
    if (this.#stopped) return;
    const accepting = (async () => {
      while (!this.#stopped) {
        let connection: SocketConnection;
        try {
          connection = await this.#listener.accept();
        } catch {
          if (this.#stopped) return;
          continue; // a client that failed to connect
        }
        void this.#serve(connection);
      }
    })();
    await stopped;
    await accepting;
  }

  #keys(): string[] {
    let address: Address;
    try {
      address = this.#listener.address;
    } catch {
      return []; // never bound
    }
    return typeof address === 'string' ? [addressKey(address)] : [addressKey(address), `tcp-port:${address[1]}`];
  }

  async #serve(connection: SocketConnection): Promise<void> {
    const caller = this.#nextCaller++;
    if (this.#authkey !== null) {
      try {
        await authenticate(connection, this.#authkey, true, undefined);
      } catch {
        connection.close(); // a wrong key: the client learns it from the handshake
        return;
      }
    }
    this.#connections.add(connection);
    try {
      for (;;) {
        let request: Request;
        try {
          request = (await connection.recv()) as Request;
        } catch (error) {
          if (error instanceof EOFError || this.#stopped || connection.closed) return;
          continue; // a request we cannot read: its sender will time out or see the connection end
        }
        void this.#handle(connection, caller, request);
      }
    } finally {
      this.#connections.delete(connection);
      this.#callerGone(caller);
    }
  }

  async #handle(connection: SocketConnection, caller: number, request: Request): Promise<void> {
    const [rid, op, target, method, argBytes] = request;
    let reply: Reply;
    try {
      switch (op) {
        case 'create': {
          const spec = this.#spec(String(target));
          if (spec.callable === null) throw new RemoteFailure(`type "${spec.typeid}" has no callable: its objects come only as method results`);
          const make = await this.#callableOf(spec);
          const args = await this.#args(argBytes);
          const object = await asCaller(caller, () => make(...args));
          reply = [rid, R_PROXY, encode(this.#hold(object, spec, caller))];
          break;
        }
        case 'call': {
          const entry = this.#entry(String(target));
          const name = String(method);
          if (!entry.exposed.has(name)) throw new RemoteFailure(`method "${name}" of ${entry.spec.typeid} is not exposed (exposed: ${[...entry.exposed].join(', ') || 'none'})`);
          const fn = (entry.object as Record<string, unknown>)[name];
          if (typeof fn !== 'function') throw new RemoteFailure(`"${name}" of ${entry.spec.typeid} is not a method`);
          const args = await this.#args(argBytes);
          let result: unknown;
          try {
            result = await asCaller(caller, () => (fn as (...a: unknown[]) => unknown).apply(entry.object, args));
          } catch (error) {
            reply = [rid, R_ERROR, encode(errorState(error))];
            break;
          }
          const typeid = entry.spec.methodToTypeid[name];
          reply = typeid === undefined ? [rid, R_OK, encodeResult(result, entry.spec.typeid, name)] : [rid, R_PROXY, encode(this.#hold(result, this.#spec(typeid), caller))];
          break;
        }
        case 'getvalue': {
          const entry = this.#entry(String(target));
          reply = [rid, R_OK, encodeResult(referentValue(entry.object), entry.spec.typeid, 'referentCopy')];
          break;
        }
        case 'incref':
          this.#incref(this.#entry(String(target)), caller);
          reply = [rid, R_OK, encode(null)];
          break;
        case 'decref': {
          const entry = this.#objects.get(String(target));
          if (entry !== undefined) this.#decref(entry, caller);
          return; // no reply
        }
        case 'transit': {
          const entry = this.#objects.get(String(target));
          if (entry !== undefined) {
            entry.transit++;
            setTimeout(() => {
              entry.transit--;
              this.#dropIfUnheld(entry);
            }, TRANSIT_MS).unref();
          }
          return;
        }
        case 'ping':
          reply = [rid, R_OK, encode({ pid: process.pid })];
          break;
        case 'shutdown':
          reply = [rid, R_OK, encode(null)];
          this.#send(connection, reply);
          setImmediate(() => this.shutdown()); // after the reply is on its way
          return;
        default:
          throw new RemoteFailure(`unknown request "${String(op)}"`);
      }
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      reply = [rid, R_REMOTE, encode({ message: failure.message, stack: failure instanceof RemoteFailure ? undefined : failure.stack })];
    }
    this.#send(connection, reply);
  }

  #send(connection: SocketConnection, reply: Reply): void {
    if (connection.closed) return;
    try {
      connection.send(reply);
    } catch {
      // the client is gone; its references go with its connection
    }
  }

  #spec(typeid: string): TypeSpec {
    const spec = this.#registry.get(typeid);
    if (spec === undefined) throw new RemoteFailure(`no type "${typeid}" is registered with this manager`);
    return spec;
  }

  #entry(id: string): Entry {
    const entry = this.#objects.get(id);
    if (entry === undefined) throw new RemoteFailure(`no object with id ${id} (it was released, or the manager restarted)`);
    return entry;
  }

  async #args(bytes: unknown): Promise<unknown[]> {
    if (!(bytes instanceof Uint8Array)) return [];
    const args = await loadsAsync(bytes, createReduceContext('spawn'));
    return Array.isArray(args) ? args : [];
  }

  #callableOf(spec: TypeSpec): Promise<(...args: unknown[]) => unknown> {
    const callable = spec.callable!;
    if (typeof callable === 'function') return Promise.resolve(callable as (...args: unknown[]) => unknown);
    let found = this.#callables.get(spec.typeid);
    if (found === undefined) {
      const reference = 'kind' in callable ? callable : explicitReference(callable);
      found = importFunction(reference, `the callable of manager type "${spec.typeid}"`);
      this.#callables.set(spec.typeid, found);
    }
    return found;
  }

  /** Serves `object` (again, if it is served already) with one more reference for `caller`. */
  #hold(object: unknown, spec: TypeSpec, caller: number): Token {
    const known = typeof object === 'object' && object !== null ? this.#ids.get(object) : undefined;
    let entry = known === undefined ? undefined : this.#objects.get(known);
    if (entry === undefined) {
      const id = (this.#nextId++).toString(16);
      const exposed = spec.exposed ?? publicMethods(object);
      entry = { object, spec, exposed: new Set(exposed), token: { typeid: spec.typeid, id, exposed: [...exposed], proxy: spec.proxy }, refs: new Map(), transit: 0 };
      this.#objects.set(id, entry);
      if (typeof object === 'object' && object !== null) this.#ids.set(object, id);
    }
    this.#incref(entry, caller);
    return entry.token;
  }

  #incref(entry: Entry, caller: number): void {
    entry.refs.set(caller, (entry.refs.get(caller) ?? 0) + 1);
  }

  #decref(entry: Entry, caller: number): void {
    const count = (entry.refs.get(caller) ?? 0) - 1;
    if (count > 0) entry.refs.set(caller, count);
    else entry.refs.delete(caller);
    this.#dropIfUnheld(entry);
  }

  #dropIfUnheld(entry: Entry): void {
    if (entry.refs.size > 0 || entry.transit > 0) return;
    this.#objects.delete(entry.token.id);
    if (this.#ids.get(entry.object) === entry.token.id) this.#ids.delete(entry.object);
  }

  /** A client disconnected: what it held is given back, and its references go. */
  #callerGone(caller: number): void {
    for (const entry of [...this.#objects.values()]) {
      if (isCallerAware(entry.object)) {
        try {
          entry.object[kCallerGone](caller);
        } catch {
          // a referent's cleanup must not stop the others'
        }
      }
      if (entry.refs.delete(caller)) this.#dropIfUnheld(entry);
    }
  }
}

function encode(value: unknown): Uint8Array {
  return dumps(value, createReduceContext('spawn'), 'a manager reply');
}

function encodeResult(value: unknown, typeid: string, method: string): Uint8Array {
  try {
    return dumps(value, createReduceContext('spawn'), `the result of ${typeid}.${method}()`);
  } catch (error) {
    throw new RemoteFailure(`the result of ${typeid}.${method}() cannot be sent back: ${(error as Error).message}`);
  }
}

