/**
 * BaseManager (Python's multiprocessing.managers.BaseManager): a server holding objects,
 * started as a process of its own (start()), run in this process (getServer().serveForever()),
 * or reached where it already runs (connect()), possibly on another machine over TCP with an
 * authkey. Types are registered on the class; each registration adds a method of that name
 * that makes an object in the server and returns its proxy.
 */
import { contextOf, type Context } from '../context.js';
import { Pipe } from '../connection.js';
import { errorFrom } from '../error-state.js';
import { ProcessError, ValueError } from '../errors.js';
import { checkAddress, checkAuthkey, describeAddress, type Address } from '../listener.js';
import { currentProcess, type Process } from '../process.js';
import { explicitReference, isModuleReference, referenceOf, type ModuleReference } from '../reference.js';
import type { StartMethod } from '../start-methods.js';
import { checkTimeout, inspectCustom } from '../util.js';
import { BaseProxy, ManagerClient, proxyKindOf, registerProxyClass, type ProxyClass } from './proxy.js';
import { Server, type Callable, type TypeSpec } from './server.js';
import type { ServerConfig, ServerReport } from './server-main.js';

const SERVER_MAIN: ModuleReference = { module: new URL('./server-main.js', import.meta.url).href, name: 'runManagerServer' };
/** A server process that has not said where it listens by then has failed to start. */
const START_TIMEOUT_MS = 60_000;
/** After a shutdown request, the server process has this long to exit before it is terminated. */
const SHUTDOWN_GRACE_MS = 5_000;

export interface BaseManagerOptions {
  /** Where the server listens, or the server to connect() to: [host, port] or a socket path. Default: a fresh Unix socket. */
  readonly address?: Address | null;
  /** Clients must prove this key. Default: this process's authkey (children inherit it, as in Python). */
  readonly authkey?: Uint8Array | null;
  /** How start() starts the server: a context or a start method. Default 'spawn'. */
  readonly context?: Context | StartMethod;
}

export interface RegisterOptions {
  /** Makes the object: an exported function (start() finds it by reference), or `{ module, name }`. Omit it on the client side. */
  readonly callable?: Callable | ModuleReference | null;
  /** The proxy class (a BaseProxy subclass); default: an AutoProxy with the exposed methods. */
  readonly proxytype?: ProxyClass;
  /** Methods a proxy may call; default: the object's public methods. */
  readonly exposed?: readonly string[] | null;
  /** Methods whose results come back as proxies of these types (Python's method_to_typeid). */
  readonly methodToTypeid?: Readonly<Record<string, string>>;
  /** Add a method named `typeid` to the manager (default true). */
  readonly createMethod?: boolean;
}

export interface StartOptions {
  /** Runs in the server process before it serves (an exported function, found by reference). */
  readonly initializer?: Callable | ModuleReference;
  readonly initargs?: readonly unknown[];
}

const registries = new WeakMap<object, Map<string, TypeSpec>>();

type State = 'initial' | 'starting' | 'started' | 'connected' | 'shutdown';

export class BaseManager implements AsyncDisposable {
  static #count = 0;
  readonly #requested: Address | null;
  readonly #authkey: Uint8Array | null;
  readonly #context: Context;
  #address: Address | null;
  #client: ManagerClient | null = null;
  #process: Process | null = null;
  #server: Server | null = null;
  #state: State = 'initial';

  constructor(options: BaseManagerOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError(`${new.target.name}: options must be an object like { address, authkey }`);
    const what = new.target.name;
    this.#requested = options.address === undefined || options.address === null ? null : checkAddress(options.address, what);
    this.#address = this.#requested;
    this.#authkey = options.authkey === undefined ? currentProcess().authkey : checkAuthkey(options.authkey, what);
    this.#context = contextOf(options.context ?? 'spawn', what);
  }

  /**
   * Registers a type: objects a proxy can ask the server for (Python's register()). Each
   * subclass has a registry of its own, starting from its parent's.
   */
  static register(typeid: string, options: RegisterOptions = {}): void {
    if (typeof typeid !== 'string' || typeid.length === 0) throw new TypeError(`${this.name}.register(): typeid must be a non-empty string`);
    if (typeof options !== 'object' || options === null) throw new TypeError(`${this.name}.register(): options must be an object like { callable }`);
    const callable = options.callable ?? null;
    if (callable !== null && typeof callable !== 'function' && !isModuleReference(callable)) {
      throw new TypeError(`${this.name}.register("${typeid}"): callable must be a function or a { module, name } reference`);
    }
    const proxytype = options.proxytype;
    if (proxytype !== undefined && !(proxytype.prototype instanceof BaseProxy)) {
      throw new TypeError(`${this.name}.register("${typeid}"): proxytype must be a class extending BaseProxy`);
    }
    const kind = proxytype === undefined ? 'AutoProxy' : (proxyKindOf(proxytype) ?? registerProxyClass(proxytype, userProxyKind(proxytype)));
    const exposed = options.exposed ?? null;
    if (exposed !== null && (!Array.isArray(exposed) || !exposed.every((name) => typeof name === 'string'))) {
      throw new TypeError(`${this.name}.register("${typeid}"): exposed must be an array of method names`);
    }
    registryOf(this).set(typeid, {
      typeid,
      callable,
      exposed,
      methodToTypeid: { ...(options.methodToTypeid ?? {}) },
      proxy: kind,
    });
    if (options.createMethod !== false) {
      Object.defineProperty(this.prototype, typeid, {
        configurable: true,
        writable: true,
        value: function (this: BaseManager, ...args: unknown[]): Promise<BaseProxy> {
          return this.create(typeid, args);
        },
      });
    }
  }

  /** The server's address ([host, port] with the real port once started on port 0). */
  get address(): Address {
    if (this.#address === null) throw new ValueError(`${this.constructor.name}.address: not started yet (await manager.start())`, 'ERR_NOT_READY');
    return this.#address;
  }

  /** The server process, once start() ran (null otherwise). */
  get process(): Process | null {
    return this.#process;
  }

  /**
   * Starts the server in a process of its own and connects to it. The registered callables
   * must be exported functions (or references): the server process imports them.
   */
  async start(options: StartOptions = {}): Promise<void> {
    const what = `${this.constructor.name}.start()`;
    this.#expect('initial', what);
    this.#state = 'starting';
    try {
      const address = await this.#startServer(options, what);
      this.#address = address;
      this.#client = ManagerClient.for(address, this.#authkey);
      this.#state = 'started';
    } catch (error) {
      this.#state = 'initial';
      throw error;
    }
  }

  async #startServer(options: StartOptions, what: string): Promise<Address> {
    const registry = [...registryOf(this.constructor).values()].map((spec) => portable(spec));
    const initializer = options.initializer === undefined ? null : isModuleReference(options.initializer) ? explicitReference(options.initializer) : referenceOf(options.initializer, `the initializer of ${what}`);
    const config: ServerConfig = { registry, address: this.#requested, authkey: this.#authkey, initializer, initargs: [...(options.initargs ?? [])] };
    const [reader, writer] = Pipe<ServerReport>(false);
    let report: ServerReport;
    try {
      const ProcessClass = this.#context.Process as unknown as new (options: object) => Process;
      const child = new ProcessClass({ target: SERVER_MAIN, args: [config, writer], name: `${this.constructor.name}-${++BaseManager.#count}`, daemon: true });
      child.start();
      this.#process = child;
      writer.close();
      try {
        report = await reader.recv({ timeout: START_TIMEOUT_MS });
      } catch (error) {
        child.terminate();
        await child.join(SHUTDOWN_GRACE_MS);
        throw new ProcessError(`${what}: the server process ${child.name} did not start (exit code ${String(child.exitcode)})`, 'ERR_MANAGER_START', { cause: error });
      }
      if ('error' in report) {
        await child.join(SHUTDOWN_GRACE_MS);
        const cause = errorFrom(report.error);
        throw new ProcessError(`${what}: the server could not start: ${cause instanceof Error ? cause.message : String(cause)}`, 'ERR_MANAGER_START', { cause });
      }
    } finally {
      writer.close();
      reader.close();
    }
    return report.address;
  }

  /** Connects to a server already running at `address` (another process, or another machine). */
  async connect(): Promise<void> {
    const what = `${this.constructor.name}.connect()`;
    this.#expect('initial', what);
    if (this.#requested === null) throw new ValueError(`${what}: give the server's address ({ address })`, 'ERR_NO_ADDRESS');
    const client = ManagerClient.for(this.#requested, this.#authkey);
    await client.request('ping', null, null, null, `${what} to ${describeAddress(this.#requested)}`);
    this.#client = client;
    this.#state = 'connected';
  }

  /**
   * A server in this process (Python's get_server()): `await server.serveForever()` serves
   * until a client asks it to shut down. Its callables are called directly (closures work).
   */
  getServer(): Server {
    this.#expect('initial', `${this.constructor.name}.getServer()`);
    if (this.#server === null) {
      this.#server = new Server(registryOf(this.constructor), this.#requested, this.#authkey);
      void this.#server.ready.then(
        () => (this.#address = this.#server!.address),
        () => {},
      );
    }
    return this.#server;
  }

  /**
   * Stops the server this manager started: its objects go, and its proxies fail with
   * EOFError from then on. A connected manager only stops being usable (the server goes on).
   */
  async shutdown(): Promise<void> {
    const client = this.#client;
    const child = this.#process;
    const was = this.#state;
    this.#state = 'shutdown';
    this.#client = null;
    if (was === 'started' && client !== null) {
      await client.request('shutdown', null, null, null, `${this.constructor.name}.shutdown()`).catch(() => {});
      client.shutDown(); // (a connected manager leaves the connection: other managers here may share it)
    }
    if (child !== null && child.exitcode === null) {
      if ((await child.join(SHUTDOWN_GRACE_MS)) === null) {
        child.terminate();
        await child.join();
      }
    }
    this.#server?.shutdown();
  }

  /** Waits for the server process to end (after shutdown()); `timeout` in ms. */
  async join(timeout?: number): Promise<void> {
    const ms = checkTimeout(timeout, `${this.constructor.name}.join()`);
    if (this.#process === null) throw new ProcessError(`${this.constructor.name}.join(): no server process (start() was not called)`, 'ERR_MANAGER_STATE');
    await this.#process.join(ms);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  [inspectCustom](): string {
    return `<${this.constructor.name} ${this.#state}${this.#address === null ? '' : ` at ${describeAddress(this.#address)}`}>`;
  }

  /** Makes an object of a registered type in the server: its proxy (Python's _create). */
  protected async create(typeid: string, args: readonly unknown[]): Promise<BaseProxy> {
    const client = this.#client;
    if (client === null) {
      const how = this.#state === 'shutdown' ? 'it was shut down' : 'call start() or connect() first';
      throw new ProcessError(`${this.constructor.name}.${typeid}(): the manager is not connected (${how})`, 'ERR_MANAGER_STATE');
    }
    return (await client.request('create', typeid, null, args, `${this.constructor.name}.${typeid}()`)) as BaseProxy;
  }

  #expect(state: State, what: string): void {
    if (this.#state !== state) throw new ProcessError(`${what}: the manager is ${this.#state === 'initial' ? 'not started' : this.#state}`, 'ERR_MANAGER_STATE');
  }
}

let localProxyKinds = 0;

/** An exported proxy class is found by reference elsewhere; another is known in this process only. */
function userProxyKind(cls: ProxyClass): string {
  try {
    const reference = referenceOf(cls as unknown as (...args: never[]) => unknown, 'a proxytype');
    if (reference.kind !== 'cjs') return `${reference.module}#${reference.name}`;
  } catch {
    // not exported
  }
  return `local:${++localProxyKinds}:${cls.name}`;
}

function registryOf(cls: object): Map<string, TypeSpec> {
  let registry = registries.get(cls);
  if (registry === undefined) {
    const parent = Object.getPrototypeOf(cls) as object | null;
    registry = new Map(parent !== null && parent !== Function.prototype ? registryOf(parent) : []);
    registries.set(cls, registry);
  }
  return registry;
}

/** A spec a server process can use: callables as references. */
function portable(spec: TypeSpec): TypeSpec {
  const callable = spec.callable;
  if (callable === null || typeof callable !== 'function') return { ...spec, callable: callable === null ? null : 'kind' in callable ? callable : explicitReference(callable) };
  return { ...spec, callable: referenceOf(callable, `the callable of manager type "${spec.typeid}"`) };
}
