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
import { AuthenticationError, EOFError, RemoteError } from '../errors.js';
import { Client, describeAddress, type Address } from '../listener.js';
import { kKeepAlive, kPush, kSendParts, type SocketConnection } from '../socket-connection.js';
import { inspectCustom } from '../util.js';
import { R_ERROR, R_OK, R_PROXY, R_REMOTE, addressKey, decodeReply, decodeValue, encodeRequest, encodeValue, type Op, type Token } from './protocol.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  readonly what: string;
}

/** A proxy's methods: each one of the object's, returning a Promise of its (awaited) result. */
export type Proxied<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

const CHALLENGE = Buffer.from('#CHALLENGE#');

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

  /** The client for that server and key, made once (again once that server is gone: another may serve there now). */
  static for(address: Address, authkey: Uint8Array | null): ManagerClient {
    const key = `${addressKey(address)}#${authkey === null ? '' : Buffer.from(authkey).toString('hex')}`;
    let client = ManagerClient.#clients.get(key);
    if (client === undefined || client.#gone !== null) {
      client = new ManagerClient(address, authkey);
      ManagerClient.#clients.set(key, client);
    }
    return client;
  }

  readonly address: Address;
  readonly authkey: Uint8Array | null;
  #connection: Promise<SocketConnection> | null = null;
  /** The connection once made (requests then go without waiting for a promise). */
  #connected: SocketConnection | null = null;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  /** Whether the connection keeps the program alive now (while requests wait, only then). */
  #held = false;
  /** Set once the server is gone (shut down, or the connection ended): every request fails with it. */
  #gone: Error | null = null;

  private constructor(address: Address, authkey: Uint8Array | null) {
    this.address = address;
    this.authkey = authkey;
  }

  /** Sends a request and resolves with its value; a proxy for R_PROXY replies. */
  async request(op: Op, target: string | null, method: string | null, args: readonly unknown[] | null, what: string): Promise<unknown> {
    if (this.#gone !== null) throw this.#gone;
    const connection = this.#connected ?? (await this.#connect());
    const id = this.#nextId++;
    const argBytes = args === null ? null : encodeValue(args, `the arguments of ${what}`);
    const reply = new Promise<unknown>((resolve, reject) => this.#pending.set(id, { resolve, reject, what }));
    this.#hold(connection, true);
    try {
      connection[kSendParts](encodeRequest(id, op, target, method, argBytes));
    } catch (error) {
      this.#pending.delete(id);
      this.#hold(connection, this.#pending.size > 0);
      throw this.#lost(error);
    }
    return reply;
  }

  /** A request with no reply (decref, transit), sent only if connected: nothing to give back otherwise. */
  notify(op: Op, target: string): void {
    const connection = this.#connected;
    if (connection === null || connection.closed) return;
    try {
      connection[kSendParts](encodeRequest(0, op, target, null, null));
    } catch {
      // the server is gone, and what it held with it
    }
  }

  /** The server was shut down: the connection closes, and requests fail from now on. */
  shutDown(): void {
    this.#gone ??= new EOFError(`the manager at ${describeAddress(this.address)} was shut down`);
    this.#drop();
  }

  #connect(): Promise<SocketConnection> {
    if (this.#connection === null) {
      const connecting = Client(this.address, { authkey: this.authkey }).then((connection) => {
        // Replies are taken as they arrive, straight from the socket.
        connection[kPush](
          (frame) => this.#onReply(frame),
          (error) => this.#failAll(error ?? new Error('the connection was closed')),
        );
        this.#connected = connection;
        return connection;
      });
      this.#connection = connecting;
      connecting.catch(() => {
        if (this.#connection === connecting) this.#connection = null; // the next request tries again
      });
    }
    return this.#connection;
  }

  #hold(connection: SocketConnection, on: boolean): void {
    if (on === this.#held) return;
    this.#held = on;
    connection[kKeepAlive](on);
  }

  #onReply(reply: Buffer): void {
    if (reply.byteLength > CHALLENGE.byteLength && reply.subarray(0, CHALLENGE.byteLength).equals(CHALLENGE)) {
      this.#failAll(new AuthenticationError(`the manager at ${describeAddress(this.address)} requires an authkey: give it ({ authkey })`));
      return;
    }
    const [id, status, bytes] = decodeReply(reply);
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    if (this.#pending.size === 0 && this.#connected !== null) this.#hold(this.#connected, false);
    void this.#settle(pending, status, bytes);
  }

  /** Closes the connection (the server gives back what it held for this process). */
  #drop(): void {
    const connection = this.#connected;
    if (connection !== null) this.#hold(connection, false);
    this.#connected = null;
    this.#connection = null;
    connection?.close();
  }

  async #settle(pending: Pending, status: number, bytes: Uint8Array): Promise<void> {
    let value: unknown;
    try {
      const decoded = decodeValue(bytes);
      value = decoded instanceof Promise ? await decoded : decoded;
    } catch (error) {
      pending.reject(error);
      return;
    }
    if (status === R_OK) pending.resolve(value);
    else if (status === R_PROXY) {
      await loadProxyClass((value as Token).proxy);
      pending.resolve(makeProxy(this, value as Token));
    }
    else if (status === R_ERROR) pending.reject(errorFrom(value));
    else if (status === R_REMOTE) {
      const { message, stack } = value as { message: string; stack?: string };
      pending.reject(new RemoteError(`${pending.what}: ${message}`, stack));
    } else pending.reject(new RemoteError(`${pending.what}: unknown reply status ${status}`));
  }

  #failAll(error: unknown): void {
    const lost = error instanceof AuthenticationError ? error : this.#lost(error);
    this.#gone ??= lost;
    this.#drop();
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
/**
 * Proxy classes by kind: a built-in one's name, `<module URL>#<export>` for an exported user
 * class (a process that meets it imports it, as Python unpickles a proxytype by reference), or
 * `local:…` for one that is not exported (made here only; elsewhere an AutoProxy).
 */
const proxyClasses = new Map<string, ProxyClass>();
const kinds = new WeakMap<ProxyClass, string>();

/** Registers a proxy class under its kind (the built-ins: their names); returns the kind. */
export function registerProxyClass(cls: ProxyClass, kind: string): string {
  const known = kinds.get(cls);
  if (known !== undefined) return known;
  proxyClasses.set(kind, cls);
  kinds.set(cls, kind);
  return kind;
}

export function proxyKindOf(cls: ProxyClass): string | undefined {
  return kinds.get(cls);
}

/** The module a kind names an exported class of (null: a built-in or a local one). */
export function proxyModuleOf(kind: string): string | null {
  const at = kind.lastIndexOf('#');
  return at > 0 && !kind.startsWith('local:') ? kind.slice(0, at) : null;
}

/** The module a kind is found in, if it names an exported class not known here yet. */
export function missingProxyModule(kind: string): string | null {
  return proxyClasses.has(kind) ? null : proxyModuleOf(kind);
}

/** Takes an exported proxy class from its module's namespace (imported already). */
export function adoptProxyClass(kind: string, namespace: Record<string, unknown> | undefined): void {
  if (proxyClasses.has(kind) || namespace === undefined) return;
  const cls = namespace[kind.slice(kind.lastIndexOf('#') + 1)];
  if (typeof cls === 'function' && cls.prototype instanceof BaseProxy) registerProxyClass(cls as ProxyClass, kind);
}

/** Makes sure a token's proxy class is known here (importing its module if need be). */
export async function loadProxyClass(kind: string): Promise<void> {
  const module = missingProxyModule(kind);
  if (module === null) return;
  try {
    adoptProxyClass(kind, (await import(module)) as Record<string, unknown>);
  } catch {
    // not importable here: an AutoProxy stands in
  }
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
