/**
 * A manager's server (Python's managers.Server): it holds objects and serves the proxies of
 * every connected client, each request on its own, so a client waiting (for a lock, a queue's
 * next item) never holds up another.
 *
 * The objects are kept while someone holds a reference: each connection counts its own, and a
 * connection that ends gives back all of them (Python counts per proxy, and what a killed
 * client held stays for ever). A proxy on its way to another process holds a transit
 * reference for a while, so the object outlives the sender's proxy until the receiver has its
 * own. Proxies that arrive in the server itself (an argument, an item of a managed list) are
 * the server's own references, and call it directly.
 */
import { randomBytes } from 'node:crypto';
import { errorState } from '../error-state.js';
import { RemoteError } from '../errors.js';
import { Listener, authenticate, type Address } from '../listener.js';
import { explicitReference, type ModuleReference, type ResolvedReference } from '../reference.js';
import { kPush, kSendParts, type SocketConnection } from '../socket-connection.js';
import { importFunction } from '../spawn/target.js';
import { asCaller, isCallerAware, kCallerGone } from './caller.js';
import { registerLocalServer, unregisterLocalServer, type LocalServer } from './local.js';
import { R_ERROR, R_OK, R_PROXY, R_REMOTE, decodeRequest, decodeValue, encodeReply, encodeValue, type Op, type Request, type Token } from './protocol.js';
import { makeProxy, type ProxyClient } from './proxy.js';
import { referentValue } from './referents.js';

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
/** The holder of the references of proxies inside the server itself. */
const SERVER = 0;

interface Entry {
  readonly object: unknown;
  readonly spec: TypeSpec;
  readonly exposed: ReadonlySet<string>;
  readonly token: Token;
  /** References by holder (a connection, or SERVER). */
  readonly refs: Map<number, number>;
  transit: number;
}

type Outcome = { readonly value: unknown } | { readonly token: Token } | { readonly error: unknown };

/** A request the server cannot carry out: the client gets a RemoteError. */
class RemoteFailure extends Error {}

/**
 * What a class may declare as the methods an AutoProxy of its instances calls: a static
 * property under this symbol (this library's Queue does). Symbol.for, so no import is needed.
 */
export const kExposed = Symbol.for('multiprocessing-ts.exposed');

/**
 * Public methods (Python's public_methods): the class's declared list, or the functions
 * reachable on the object but the constructor, names starting with '_', and the blocking
 * `…Sync` forms (they would stall the server for every client).
 */
export function publicMethods(object: unknown): string[] {
  if (typeof object !== 'object' && typeof object !== 'function') return [];
  if (object === null) return [];
  const declared = (object as { constructor?: { [kExposed]?: unknown } } | null)?.constructor?.[kExposed];
  if (Array.isArray(declared)) return declared.filter((name): name is string => typeof name === 'string');
  const names = new Set<string>();
  for (let o = object as object | null; o !== null && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name === 'constructor' || name.startsWith('_') || name.endsWith('Sync')) continue;
      const descriptor = Object.getOwnPropertyDescriptor(o, name);
      if (descriptor !== undefined && typeof descriptor.value === 'function') names.add(name);
    }
  }
  return [...names];
}

export class Server {
  readonly #registry: ReadonlyMap<string, TypeSpec>;
  readonly #listener: Listener;
  readonly #authkey: Uint8Array | null;
  readonly #objects = new Map<string, Entry>();
  /** The id an object already served has (the same queue asked for twice is one object). */
  readonly #ids = new Map<unknown, string>();
  readonly #callables = new Map<string, Promise<(...args: unknown[]) => unknown>>();
  readonly #connections = new Set<SocketConnection>();
  readonly #local: LocalServer;
  /** Ids of one server differ from another's at the same address: a stale proxy finds nothing, not the wrong object. */
  readonly #tag = `${randomBytes(4).toString('hex')}-`;
  #nextId = 1;
  #nextCaller = 1;
  #serving: Promise<void> | null = null;
  #stop: () => void = () => {};
  #stopped = false;
  /** Settles once the address is bound (or rejects with why it cannot be). */
  readonly ready: Promise<void>;

  constructor(registry: ReadonlyMap<string, TypeSpec>, address: Address | null, authkey: Uint8Array | null) {
    this.#registry = registry;
    this.#authkey = authkey;
    this.#listener = new Listener(address);
    const listener = this.#listener;
    const client: ProxyClient = {
      get address() {
        return listener.address;
      },
      authkey,
      request: (op, target, method, args, what) => this.#requestHere(op, target, method, args ?? [], what),
      notify: (op, target) => this.#notifyHere(op, target),
    };
    this.#local = { client, referent: (id) => this.#objects.get(id) };
    this.ready = this.#listener.ready.then(() => registerLocalServer(this.#listener.address, this.#local));
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
    try {
      unregisterLocalServer(this.#listener.address, this.#local);
    } catch {
      // never bound
    }
    this.#listener.close();
    for (const connection of this.#connections) connection.close();
    this.#stop();
  }

  async #run(): Promise<void> {
    await this.ready;
    if (this.#stopped) return;
    const stopped = new Promise<void>((resolve) => (this.#stop = resolve));
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
    // Requests are taken as they arrive (no promise per request), each served on its own.
    await new Promise<void>((resolve) => {
      connection[kPush](
        (frame) => {
          let request: Request;
          try {
            request = decodeRequest(frame);
          } catch {
            return; // a request we cannot read: its sender sees no reply
          }
          void this.#handle(connection, caller, request);
        },
        () => resolve(),
      );
    });
    this.#connections.delete(connection);
    this.#callerGone(caller);
  }

  /** A request from a client's connection: arguments and reply as bytes. */
  async #handle(connection: SocketConnection, caller: number, request: Request): Promise<void> {
    const { id, op, target, method } = request;
    if (op === 'decref' || op === 'transit') {
      this.#notifyHere(op, String(target), caller);
      return; // no reply
    }
    let status: number;
    let bytes: Uint8Array;
    try {
      const decoded = request.args === null ? [] : decodeValue(request.args);
      const args = decoded instanceof Promise ? await decoded : decoded;
      const outcome = await asCaller(caller, () => this.#perform(op, target, method, Array.isArray(args) ? args : [], caller));
      if ('token' in outcome) [status, bytes] = [R_PROXY, encode(outcome.token)];
      else if ('error' in outcome) [status, bytes] = [R_ERROR, encode(errorState(outcome.error))];
      else [status, bytes] = [R_OK, encodeResult(outcome.value, target, method)];
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      [status, bytes] = [R_REMOTE, encode({ message: failure.message, stack: failure instanceof RemoteFailure ? undefined : failure.stack })];
    }
    if (!connection.closed) {
      try {
        connection[kSendParts](encodeReply(id, status, bytes));
      } catch {
        // the client is gone; its references go with its connection
      }
    }
    if (op === 'shutdown') setImmediate(() => this.shutdown()); // after the reply is on its way
  }

  /** A request from a proxy in this process (the server's own): values as they are. */
  async #requestHere(op: Op, target: string | null, method: string | null, args: readonly unknown[], what: string): Promise<unknown> {
    let outcome: Outcome;
    try {
      outcome = await this.#perform(op, target, method, args, SERVER);
    } catch (error) {
      throw error instanceof RemoteFailure ? new RemoteError(`${what}: ${error.message}`) : error;
    }
    if ('token' in outcome) return makeProxy(this.#local.client, outcome.token);
    if ('error' in outcome) throw outcome.error;
    if (op === 'shutdown') setImmediate(() => this.shutdown());
    return outcome.value;
  }

  #notifyHere(op: Op, target: string, holder = SERVER): void {
    const entry = this.#objects.get(target);
    if (entry === undefined) return;
    if (op === 'decref') this.#decref(entry, holder);
    else if (op === 'transit') {
      entry.transit++;
      setTimeout(() => {
        entry.transit--;
        this.#dropIfUnheld(entry);
      }, TRANSIT_MS).unref();
    }
  }

  /**
   * Carries a request out; `holder` gets the references to what it makes. The caller (whose
   * locks are whose) is the request's: currentCaller().
   */
  async #perform(op: Op, target: string | null, method: string | null, args: readonly unknown[], holder: number): Promise<Outcome> {
    switch (op) {
      case 'create': {
        const spec = this.#spec(String(target));
        if (spec.callable === null) throw new RemoteFailure(`type "${spec.typeid}" has no callable: its objects come only as method results`);
        const make = await this.#callableOf(spec);
        return { token: this.#hold(await make(...args), spec, holder) };
      }
      case 'call': {
        const entry = this.#entry(String(target));
        const name = String(method);
        if (!entry.exposed.has(name)) throw new RemoteFailure(`method "${name}" of ${entry.spec.typeid} is not exposed (exposed: ${[...entry.exposed].join(', ') || 'none'})`);
        const fn = (entry.object as Record<string, unknown>)[name];
        if (typeof fn !== 'function') throw new RemoteFailure(`"${name}" of ${entry.spec.typeid} is not a method`);
        let result: unknown;
        try {
          result = await (fn as (...a: unknown[]) => unknown).apply(entry.object, args as unknown[]);
        } catch (error) {
          return { error };
        }
        const typeid = entry.spec.methodToTypeid[name];
        return typeid === undefined ? { value: result } : { token: this.#hold(result, this.#spec(typeid), holder) };
      }
      case 'getvalue':
        return { value: referentValue(this.#entry(String(target)).object) };
      case 'incref':
        this.#incref(this.#entry(String(target)), holder);
        return { value: null };
      case 'ping':
        return { value: { pid: process.pid } };
      case 'shutdown':
        return { value: null };
      default:
        throw new RemoteFailure(`unknown request "${String(op)}"`);
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

  /** Serves `object` (again, if it is served already) with one more reference for `holder`. */
  #hold(object: unknown, spec: TypeSpec, holder: number): Token {
    const known = typeof object === 'object' && object !== null ? this.#ids.get(object) : undefined;
    let entry = known === undefined ? undefined : this.#objects.get(known);
    if (entry === undefined) {
      const id = `${this.#tag}${(this.#nextId++).toString(16)}`;
      const exposed = spec.exposed ?? publicMethods(object);
      entry = { object, spec, exposed: new Set(exposed), token: { typeid: spec.typeid, id, exposed: [...exposed], proxy: spec.proxy }, refs: new Map(), transit: 0 };
      this.#objects.set(id, entry);
      if (typeof object === 'object' && object !== null) this.#ids.set(object, id);
    }
    this.#incref(entry, holder);
    return entry.token;
  }

  #incref(entry: Entry, holder: number): void {
    entry.refs.set(holder, (entry.refs.get(holder) ?? 0) + 1);
  }

  #decref(entry: Entry, holder: number): void {
    const count = (entry.refs.get(holder) ?? 0) - 1;
    if (count > 0) entry.refs.set(holder, count);
    else entry.refs.delete(holder);
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
  return encodeValue(value, 'a manager reply');
}

function encodeResult(value: unknown, target: unknown, method: unknown): Uint8Array {
  try {
    return encodeValue(value, `the result of ${String(method ?? target)}()`);
  } catch (error) {
    throw new RemoteFailure(`the result of ${String(method)}() cannot be sent back: ${(error as Error).message}`);
  }
}
