/**
 * Proxies (Python's BaseProxy and AutoProxy): handles on objects a manager's server holds.
 * Every method is a request to the server, so every method returns a Promise.
 *
 * A process (or thread) has one connection per manager address, shared by all its proxies,
 * with requests served side by side. It is made on first use, and keeps the program alive only
 * while a request is waiting. A proxy that is garbage-collected gives its reference back, and
 * one that crosses to another process (an argument, a queue item) arrives working there: on
 * the manager's own server it is the object itself.
 */
import { errorFrom } from '../error-state.js';
import { EOFError, RemoteError } from '../errors.js';
import { Client, describeAddress, type Address } from '../listener.js';
import { createReduceContext, dumps } from '../reduction.js';
import { kSendParts, type SocketConnection } from '../socket-connection.js';
import { inspectCustom } from '../util.js';
import { R_ERROR, R_OK, R_PROXY, R_REMOTE, addressKey, decodeReply, decodeValue, encodeRequest, type Op, type Token } from './protocol.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  readonly what: string;
}

/** A proxy's methods: each one of the object's, returning a Promise of its (awaited) result. */
export type Proxied<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/** Internal: makes proxies (the manager and the reducer do). */
export const kMake = Symbol('multiprocessing-ts.make-proxy');
/** Internal: a proxy's client (for the reducer). */
export const kClient = Symbol('multiprocessing-ts.proxy-client');

/** What a proxy sends its requests through: a connection to the server, or (in the server itself) the server. */
export interface ProxyClient {
  readonly address: Address;
  readonly authkey: Uint8Array | null;
  request(op: Op, target: string | null, method: string | null, args: readonly unknown[] | null, what: string): Promise<unknown>;
  /** A request with no reply (decref, transit). */
  notify(op: Op, target: string): void;
}

/** One process's (or thread's) connection to one manager server. */
export class ManagerClient implements ProxyClient {
  static readonly #clients = new Map<string, ManagerClient>();

  /** The client for that server and key, made once. */
  static for(address: Address, authkey: Uint8Array | null): ManagerClient {
    const key = `${addressKey(address)}#${authkey === null ? '' : Buffer.from(authkey).toString('hex')}`;
    let client = ManagerClient.#clients.get(key);
    if (client === undefined) {
      client = new ManagerClient(address, authkey);
      ManagerClient.#clients.set(key, client);
    }
    return client;
  }

  readonly address: Address;
  readonly authkey: Uint8Array | null;
  #connection: Promise<SocketConnection> | null = null;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #reading = false;

  private constructor(address: Address, authkey: Uint8Array | null) {
    this.address = address;
    this.authkey = authkey;
  }

  /** Sends a request and resolves with its value; a proxy for R_PROXY replies. */
  async request(op: Op, target: string | null, method: string | null, args: readonly unknown[] | null, what: string): Promise<unknown> {
    const connection = await this.#connect();
    const id = this.#nextId++;
    const argBytes = args === null ? null : dumps(args, createReduceContext('spawn'), `the arguments of ${what}`);
    const reply = new Promise<unknown>((resolve, reject) => this.#pending.set(id, { resolve, reject, what }));
    try {
      connection[kSendParts](encodeRequest(id, op, target, method, argBytes));
    } catch (error) {
      this.#pending.delete(id);
      throw this.#lost(error);
    }
    void this.#read(connection);
    return reply;
  }

  /** A request with no reply (decref, transit), sent only if connected: nothing to give back otherwise. */
  notify(op: Op, target: string): void {
    void this.#connection?.then(
      (connection) => {
        if (!connection.closed) connection[kSendParts](encodeRequest(0, op, target, null, null));
      },
      () => {},
    ).catch(() => {});
  }

  /** Closes this process's connection to the server (the server gives back what it held for it). */
  close(): void {
    const connection = this.#connection;
    this.#connection = null;
    void connection?.then((c) => c.close(), () => {});
  }

  #connect(): Promise<SocketConnection> {
    if (this.#connection === null) {
      const connecting = Client(this.address, { authkey: this.authkey });
      this.#connection = connecting;
      connecting.catch(() => {
        if (this.#connection === connecting) this.#connection = null; // the next request tries again
      });
    }
    return this.#connection;
  }

  /** Reads replies while requests wait (and only then: an idle client keeps nothing alive). */
  async #read(connection: SocketConnection): Promise<void> {
    if (this.#reading) return;
    this.#reading = true;
    try {
      while (this.#pending.size > 0) {
        let reply: Buffer;
        try {
          reply = await connection.recvBytes();
        } catch (error) {
          this.#failAll(error);
          return;
        }
        const [id, status, bytes] = decodeReply(reply);
        const pending = this.#pending.get(id);
        if (pending === undefined) continue;
        this.#pending.delete(id);
        void this.#settle(pending, status, bytes);
      }
    } finally {
      this.#reading = false;
    }
  }

  async #settle(pending: Pending, status: number, bytes: Uint8Array): Promise<void> {
    let value: unknown;
    try {
      value = await decodeValue(bytes);
    } catch (error) {
      pending.reject(error);
      return;
    }
    if (status === R_OK) pending.resolve(value);
    else if (status === R_PROXY) pending.resolve(makeProxy(this, value as Token));
    else if (status === R_ERROR) pending.reject(errorFrom(value));
    else if (status === R_REMOTE) {
      const { message, stack } = value as { message: string; stack?: string };
      pending.reject(new RemoteError(`${pending.what}: ${message}`, stack));
    } else pending.reject(new RemoteError(`${pending.what}: unknown reply status ${status}`));
  }

  #failAll(error: unknown): void {
    this.#connection = null;
    const lost = this.#lost(error);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(lost);
  }

  #lost(error: unknown): EOFError {
    return new EOFError(
      `the connection to the manager at ${describeAddress(this.address)} ended (the manager was shut down, or it died)`,
      { cause: error },
    );
  }
}

/** Proxies dropped without a word give their reference back. */
const released = new FinalizationRegistry<{ client: ProxyClient; id: string }>(({ client, id }) => client.notify('decref', id));

/** A proxy class: BaseProxy or a subclass. */
export type ProxyClass = new (key: typeof kMake, client: ProxyClient, token: Token) => BaseProxy;
const proxyClasses = new Map<string, ProxyClass>();

/** Makes the proxies of tokens that name `name` instances of `cls` (the built-in ones register here). */
export function registerProxyClass(name: string, cls: ProxyClass): void {
  proxyClasses.set(name, cls);
}

/** A proxy for the token's object; the reference it stands for is the caller's already. */
export function makeProxy(client: ProxyClient, token: Token): BaseProxy {
  const cls = proxyClasses.get(token.proxy) ?? AutoProxy;
  const proxy = new cls(kMake, client, token);
  released.register(proxy, { client, id: token.id });
  return proxy;
}

/**
 * A handle on an object a manager holds (Python's BaseProxy). `callMethod` is Python's
 * _callmethod; the typed proxies (DictProxy, LockProxy…) and AutoProxy are built on it.
 */
export class BaseProxy {
  readonly #client: ProxyClient;
  readonly #token: Token;

  constructor(key: typeof kMake, client: ProxyClient, token: Token) {
    if (key !== kMake) throw new TypeError(`${new.target.name}: proxies are made by a manager, not directly`);
    this.#client = client;
    this.#token = token;
  }

  /** What the proxy refers to: its type, its id on the server, and the server's address. */
  get token(): Token & { readonly address: Address } {
    return { ...this.#token, address: this.#client.address };
  }

  /** Calls a method of the object in the server (Python's _callmethod). */
  callMethod(name: string, args: readonly unknown[] = []): Promise<unknown> {
    return this.#client.request('call', this.#token.id, name, args, `${this.#token.typeid}.${name}()`);
  }

  /** A copy of the object itself (Python's _getvalue). */
  referentCopy(): Promise<unknown> {
    return this.#client.request('getvalue', this.#token.id, null, null, `${this.#token.typeid} referentCopy()`);
  }

  /** Internal: for the reducer. */
  get [kClient](): ProxyClient {
    return this.#client;
  }

  [inspectCustom](): string {
    return `<${this.constructor.name} ${this.#token.typeid} id=${this.#token.id} at ${describeAddress(this.#client.address)}>`;
  }
}

/** A proxy whose methods are those the server exposes for the object (Python's AutoProxy). */
export class AutoProxy extends BaseProxy {
  constructor(key: typeof kMake, client: ProxyClient, token: Token) {
    super(key, client, token);
    for (const name of token.exposed) {
      if (name in this) continue; // callMethod, referentCopy, token stay ours
      Object.defineProperty(this, name, { value: (...args: unknown[]) => this.callMethod(name, args), enumerable: false });
    }
  }
}

/** An AutoProxy's type for an object of type T. */
export type AutoProxyOf<T> = AutoProxy & Proxied<T>;
