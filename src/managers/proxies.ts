/**
 * The typed proxies of a SyncManager's objects (Python's DictProxy, ListProxy, AcquirerProxy,
 * EventProxy…): each method is a request to the server, so each returns a Promise. Where
 * Python writes `d[k] = v` or `v.value += 1`, a proxy is called: `await d.set(k, v)`,
 * `await v.set((await v.get()) + 1)` (not atomic, as in Python: hold a lock around it).
 *
 * Also here: how any proxy crosses to another process (its reducer).
 */
import type { Address } from '../listener.js';
import { registerReducer } from '../reduction.js';
import { TimeoutError } from '../errors.js';
import type { Token } from './protocol.js';
import { importedModule } from '../reduction.js';
import { BaseProxy, ManagerClient, adoptProxyClass, kClient, makeProxy, missingProxyModule, proxyModuleOf, registerProxyClass } from './proxy.js';
import type { BlockingOptions } from './referents.js';
import { localServerAt } from './local.js';

export type { BlockingOptions };

/** A wait's limit: milliseconds, or { timeout } as the native objects take it. */
export type WaitLimit = number | { readonly timeout?: number };

function ms(limit: WaitLimit | undefined): number | undefined {
  return typeof limit === 'object' && limit !== null ? limit.timeout : limit;
}

/**
 * Entries as they can cross to the server: a Map, an array of pairs or a plain object as they
 * are; any other iterable of pairs (a generator) as an array.
 */
export function crossableEntries<K, V>(entries: Map<K, V> | Iterable<readonly [K, V]> | Record<string, V>): Map<K, V> | (readonly [K, V])[] | Record<string, V> {
  if (entries instanceof Map || Array.isArray(entries)) return entries;
  return Symbol.iterator in Object(entries) ? [...(entries as Iterable<readonly [K, V]>)] : (entries as Record<string, V>);
}

/** A proxy for a dict (Python's DictProxy): keys should be primitives (only those find their entry again). */
export class DictProxy<K = unknown, V = unknown> extends BaseProxy {
  /** The value, or `fallback` (undefined) if the key is not there (Python's d.get(k, default)). */
  get(key: K, fallback?: V): Promise<V | undefined> {
    return this.callMethod('get', fallback === undefined ? [key] : [key, fallback]) as Promise<V | undefined>;
  }
  /** Python's d[k] = v. */
  set(key: K, value: V): Promise<void> {
    return this.callMethod('set', [key, value]) as Promise<void>;
  }
  has(key: K): Promise<boolean> {
    return this.callMethod('has', [key]) as Promise<boolean>;
  }
  /** Python's del d[k]: whether it was there. */
  delete(key: K): Promise<boolean> {
    return this.callMethod('delete', [key]) as Promise<boolean>;
  }
  keys(): Promise<K[]> {
    return this.callMethod('keys') as Promise<K[]>;
  }
  values(): Promise<V[]> {
    return this.callMethod('values') as Promise<V[]>;
  }
  items(): Promise<[K, V][]> {
    return this.callMethod('items') as Promise<[K, V][]>;
  }
  /** Python's len(d). */
  len(): Promise<number> {
    return this.callMethod('len') as Promise<number>;
  }
  pop(key: K, fallback?: V): Promise<V | undefined> {
    return this.callMethod('pop', fallback === undefined ? [key] : [key, fallback]) as Promise<V | undefined>;
  }
  popitem(): Promise<[K, V]> {
    return this.callMethod('popitem') as Promise<[K, V]>;
  }
  setdefault(key: K, fallback: V): Promise<V> {
    return this.callMethod('setdefault', [key, fallback]) as Promise<V>;
  }
  update(entries: Map<K, V> | Iterable<readonly [K, V]> | Record<string, V>): Promise<void> {
    return this.callMethod('update', [crossableEntries(entries)]) as Promise<void>;
  }
  clear(): Promise<void> {
    return this.callMethod('clear') as Promise<void>;
  }
  /** A copy, as a Map (Python's dict(d), d.copy()). */
  copy(): Promise<Map<K, V>> {
    return this.callMethod('copy') as Promise<Map<K, V>>;
  }
}

/** A proxy for a list (Python's ListProxy); negative indices count from the end. */
export class ListProxy<T = unknown> extends BaseProxy {
  /** Python's l[i]. */
  get(index: number): Promise<T> {
    return this.callMethod('get', [index]) as Promise<T>;
  }
  /** Python's l[i] = v. */
  set(index: number, value: T): Promise<void> {
    return this.callMethod('set', [index, value]) as Promise<void>;
  }
  append(value: T): Promise<void> {
    return this.callMethod('append', [value]) as Promise<void>;
  }
  extend(values: Iterable<T>): Promise<void> {
    return this.callMethod('extend', [[...values]]) as Promise<void>;
  }
  insert(index: number, value: T): Promise<void> {
    return this.callMethod('insert', [index, value]) as Promise<void>;
  }
  pop(index?: number): Promise<T> {
    return this.callMethod('pop', index === undefined ? [] : [index]) as Promise<T>;
  }
  /** Removes the first item equal (deeply) to `value`; ValueError if there is none. */
  remove(value: T): Promise<void> {
    return this.callMethod('remove', [value]) as Promise<void>;
  }
  index(value: T): Promise<number> {
    return this.callMethod('index', [value]) as Promise<number>;
  }
  count(value: T): Promise<number> {
    return this.callMethod('count', [value]) as Promise<number>;
  }
  reverse(): Promise<void> {
    return this.callMethod('reverse') as Promise<void>;
  }
  /** Numbers numerically, anything else as strings (a key function cannot cross). */
  sort(options: { readonly reverse?: boolean } = {}): Promise<void> {
    return this.callMethod('sort', [options]) as Promise<void>;
  }
  len(): Promise<number> {
    return this.callMethod('len') as Promise<number>;
  }
  /** Python's l[start:end], as an array. */
  slice(start?: number, end?: number): Promise<T[]> {
    return this.callMethod('slice', [start, end]) as Promise<T[]>;
  }
  clear(): Promise<void> {
    return this.callMethod('clear') as Promise<void>;
  }
  /** A copy, as an array (Python's list(l)). */
  copy(): Promise<T[]> {
    return this.callMethod('copy') as Promise<T[]>;
  }
}

/** A proxy for a Namespace: Python's `ns.x` is `await ns.get('x')`, `ns.x = 1` is `await ns.set('x', 1)`. */
export class NamespaceProxy extends BaseProxy {
  get(name: string): Promise<unknown> {
    return this.callMethod('get', [name]);
  }
  set(name: string, value: unknown): Promise<void> {
    return this.callMethod('set', [name, value]) as Promise<void>;
  }
  delete(name: string): Promise<void> {
    return this.callMethod('delete', [name]) as Promise<void>;
  }
  has(name: string): Promise<boolean> {
    return this.callMethod('has', [name]) as Promise<boolean>;
  }
  copy(): Promise<Record<string, unknown>> {
    return this.callMethod('copy') as Promise<Record<string, unknown>>;
  }
}

/** A proxy for a manager Value: Python's `v.value` is `await v.get()`, `v.value = x` is `await v.set(x)`. */
export class ValueProxy<T = unknown> extends BaseProxy {
  get(): Promise<T> {
    return this.callMethod('get') as Promise<T>;
  }
  set(value: T): Promise<void> {
    return this.callMethod('set', [value]) as Promise<void>;
  }
  /** Python's repr: Value('i', 21). */
  repr(): Promise<string> {
    return this.callMethod('repr') as Promise<string>;
  }
}

/** A proxy for a manager Array (Python's ArrayProxy): fixed length, numbers. */
export class ArrayProxy extends BaseProxy {
  get(index: number): Promise<number> {
    return this.callMethod('get', [index]) as Promise<number>;
  }
  set(index: number, value: number): Promise<void> {
    return this.callMethod('set', [index, value]) as Promise<void>;
  }
  len(): Promise<number> {
    return this.callMethod('len') as Promise<number>;
  }
  slice(start?: number, end?: number): Promise<number[]> {
    return this.callMethod('slice', [start, end]) as Promise<number[]>;
  }
  copy(): Promise<number[]> {
    return this.callMethod('copy') as Promise<number[]>;
  }
  /** Python's repr: array('i', [0, 1, 2]). */
  repr(): Promise<string> {
    return this.callMethod('repr') as Promise<string>;
  }
}

/** A proxy for a manager Queue (Python's queue.Queue behind a proxy): Empty and Full as the native Queue. */
export class QueueProxy<T = unknown> extends BaseProxy {
  put(item: T, options?: BlockingOptions): Promise<void> {
    return this.callMethod('put', options === undefined ? [item] : [item, options]) as Promise<void>;
  }
  get(options?: BlockingOptions): Promise<T> {
    return this.callMethod('get', options === undefined ? [] : [options]) as Promise<T>;
  }
  putNowait(item: T): Promise<void> {
    return this.callMethod('putNowait', [item]) as Promise<void>;
  }
  getNowait(): Promise<T> {
    return this.callMethod('getNowait') as Promise<T>;
  }
  qsize(): Promise<number> {
    return this.callMethod('qsize') as Promise<number>;
  }
  empty(): Promise<boolean> {
    return this.callMethod('empty') as Promise<boolean>;
  }
  full(): Promise<boolean> {
    return this.callMethod('full') as Promise<boolean>;
  }
}

/** A manager JoinableQueue's proxy: also taskDone() and join(). */
export class JoinableQueueProxy<T = unknown> extends QueueProxy<T> {
  taskDone(): Promise<void> {
    return this.callMethod('taskDone') as Promise<void>;
  }
  join(): Promise<void> {
    return this.callMethod('join') as Promise<void>;
  }
}

function notAcquired(what: string, options: BlockingOptions | undefined): TimeoutError {
  return new TimeoutError(options?.block === false ? `${what}: it is held elsewhere (block: false)` : `${what}: not acquired within ${options?.timeout} ms`);
}

/** What Python's AcquirerProxy gives (Lock, RLock, Semaphore, BoundedSemaphore, Condition): acquire, release, `with`. */
export class AcquirerProxy extends BaseProxy {
  /** True once acquired; false if `timeout` ms passed (or `block: false` found it taken). */
  acquire(options?: BlockingOptions): Promise<boolean> {
    return this.callMethod('acquire', options === undefined ? [] : [options]) as Promise<boolean>;
  }
  release(): Promise<void> {
    return this.callMethod('release') as Promise<void>;
  }
  /** Python's `with lock:` — runs fn holding it, and releases even if fn throws. */
  async withLock<R>(fn: () => R | Promise<R>, options?: BlockingOptions): Promise<R> {
    if (!(await this.acquire(options))) throw notAcquired(`${this.token.typeid}.withLock()`, options);
    try {
      return await fn();
    } finally {
      await this.release();
    }
  }
  /** `await using held = await lock.hold()`: released when the block ends. */
  async hold(options?: BlockingOptions): Promise<AsyncDisposable & { release(): Promise<void> }> {
    if (!(await this.acquire(options))) throw notAcquired(`${this.token.typeid}.hold()`, options);
    let held = true;
    const release = async (): Promise<void> => {
      if (!held) return;
      held = false;
      await this.release();
    };
    return { release, [Symbol.asyncDispose]: release };
  }
}

export class LockProxy extends AcquirerProxy {
  locked(): Promise<boolean> {
    return this.callMethod('locked') as Promise<boolean>;
  }
}

export class SemaphoreProxy extends AcquirerProxy {
  override release(n = 1): Promise<void> {
    return this.callMethod('release', [n]) as Promise<void>;
  }
  getValue(): Promise<number> {
    return this.callMethod('getValue') as Promise<number>;
  }
}

/** A manager Condition's proxy (Python's ConditionProxy). */
export class ConditionProxy extends AcquirerProxy {
  /** Gives the lock up until notified (true) or `timeout` ms (false), then holds it again. */
  wait(timeout?: WaitLimit): Promise<boolean> {
    return this.callMethod('wait', [ms(timeout)]) as Promise<boolean>;
  }
  /** Waits until `predicate` (run here) is truthy: its value, or the last one when `timeout` ms pass. */
  async waitFor<R>(predicate: () => R | Promise<R>, timeout?: WaitLimit): Promise<R> {
    const limit = ms(timeout);
    const deadline = limit === undefined ? Infinity : performance.now() + limit;
    let result = await predicate();
    while (!result) {
      const left = deadline - performance.now();
      if (left <= 0) break;
      await this.wait(deadline === Infinity ? undefined : left);
      result = await predicate();
    }
    return result;
  }
  notify(n = 1): Promise<void> {
    return this.callMethod('notify', [n]) as Promise<void>;
  }
  notifyAll(): Promise<void> {
    return this.callMethod('notifyAll') as Promise<void>;
  }
}

export class EventProxy extends BaseProxy {
  set(): Promise<void> {
    return this.callMethod('set') as Promise<void>;
  }
  clear(): Promise<void> {
    return this.callMethod('clear') as Promise<void>;
  }
  isSet(): Promise<boolean> {
    return this.callMethod('isSet') as Promise<boolean>;
  }
  /** True once set; false if `timeout` ms passed first. */
  wait(timeout?: WaitLimit): Promise<boolean> {
    return this.callMethod('wait', [ms(timeout)]) as Promise<boolean>;
  }
}

export class BarrierProxy extends BaseProxy {
  /** This party's index (0…parties-1) once all have arrived; BrokenBarrierError if it broke. */
  wait(timeout?: WaitLimit): Promise<number> {
    return this.callMethod('wait', [ms(timeout)]) as Promise<number>;
  }
  abort(): Promise<void> {
    return this.callMethod('abort') as Promise<void>;
  }
  reset(): Promise<void> {
    return this.callMethod('reset') as Promise<void>;
  }
  parties(): Promise<number> {
    return this.callMethod('parties') as Promise<number>;
  }
  nWaiting(): Promise<number> {
    return this.callMethod('nWaiting') as Promise<number>;
  }
  broken(): Promise<boolean> {
    return this.callMethod('broken') as Promise<boolean>;
  }
}

for (const cls of [DictProxy, ListProxy, NamespaceProxy, ValueProxy, ArrayProxy, QueueProxy, JoinableQueueProxy, AcquirerProxy, LockProxy, SemaphoreProxy, ConditionProxy, EventProxy, BarrierProxy]) {
  registerProxyClass(cls, cls.name);
}

interface ProxyState {
  readonly address: Address;
  readonly authkey: Uint8Array | null;
  readonly token: Token;
}

registerReducer<BaseProxy, ProxyState>({
  type: 'multiprocessing-ts:Proxy',
  module: import.meta.url,
  cls: BaseProxy,
  reduce: (proxy) => {
    const client = proxy[kClient];
    const { typeid, id, exposed, proxy: kind } = proxy.token;
    client.notify('transit', id); // the object waits for its receiver a while
    return { address: client.address, authkey: client.authkey, token: { typeid, id, exposed, proxy: kind } };
  },
  // (Asked on the sending side: the receiver may not know the class even if the sender does.)
  imports: (state) => {
    const module = proxyModuleOf(state.token.proxy);
    return module === null ? [] : [module];
  },
  rebuild: (state) => {
    const module = missingProxyModule(state.token.proxy);
    if (module !== null) adoptProxyClass(state.token.proxy, importedModule(module));
    // In the manager's own server, the proxy calls it directly (Python's manager-owned proxies).
    const client = localServerAt(state.address)?.client ?? ManagerClient.for(state.address, state.authkey);
    const proxy = makeProxy(client, state.token);
    client.request('incref', state.token.id, null, null, `${state.token.typeid} incref`).catch(() => {});
    return proxy;
  },
});
