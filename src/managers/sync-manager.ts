/**
 * SyncManager and Manager() (Python's multiprocessing.Manager()): a BaseManager with the
 * standard types registered: dict, list, Namespace, Value, Array, Queue, JoinableQueue,
 * Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event, Barrier. Their methods make the
 * object in the server and resolve with its typed proxy.
 *
 * (Locks, queues and shared values of this library's own work across processes without a
 * manager, and faster; a manager's are for what they cannot do: reach other machines, or
 * dicts and lists.)
 */
import type { ModuleReference } from '../reference.js';
import { referenceOf } from '../reference.js';
import { BaseManager, type BaseManagerOptions, type StartOptions } from './base-manager.js';
import {
  ArrayProxy,
  BarrierProxy,
  ConditionProxy,
  DictProxy,
  EventProxy,
  JoinableQueueProxy,
  ListProxy,
  LockProxy,
  NamespaceProxy,
  QueueProxy,
  SemaphoreProxy,
  ValueProxy,
  AcquirerProxy,
  crossableEntries,
} from './proxies.js';
import type { ProxyClass } from './proxy.js';

const referents = new URL('./referents.js', import.meta.url).href;
const factory = (name: string): ModuleReference => ({ module: referents, name });

export interface ManagerBarrierOptions {
  /** Run in the server by the last party to arrive: an exported function (it crosses by reference). */
  readonly action?: () => unknown;
  /** The default timeout of wait(), in ms. */
  readonly timeout?: number;
}

export class SyncManager extends BaseManager {
  /** A dict in the server (Python's manager.dict()), empty or from a Map, entries or an object. */
  dict<K = unknown, V = unknown>(init?: Map<K, V> | Iterable<readonly [K, V]>): Promise<DictProxy<K, V>>;
  dict<K extends string = string, V = unknown>(init: { readonly [key: string]: V }): Promise<DictProxy<K, V>>;
  dict<K, V>(init?: Map<K, V> | Iterable<readonly [K, V]> | Record<string, V>): Promise<DictProxy<K, V>> {
    return this.create('dict', init === undefined ? [] : [crossableEntries(init)]) as Promise<DictProxy<K, V>>;
  }
  list<T = unknown>(init?: Iterable<T>): Promise<ListProxy<T>> {
    return this.create('list', init === undefined ? [] : [[...init]]) as Promise<ListProxy<T>>;
  }
  Namespace(init?: Record<string, unknown>): Promise<NamespaceProxy> {
    return this.create('Namespace', init === undefined ? [] : [init]) as Promise<NamespaceProxy>;
  }
  Value<T = unknown>(typecode: string, value: T): Promise<ValueProxy<T>> {
    return this.create('Value', [typecode, value]) as Promise<ValueProxy<T>>;
  }
  Array(typecode: string, init: Iterable<number> | number): Promise<ArrayProxy> {
    return this.create('Array', [typecode, typeof init === 'number' ? init : [...init]]) as Promise<ArrayProxy>;
  }
  Queue<T = unknown>(maxsize = 0): Promise<QueueProxy<T>> {
    return this.create('Queue', [maxsize]) as Promise<QueueProxy<T>>;
  }
  JoinableQueue<T = unknown>(maxsize = 0): Promise<JoinableQueueProxy<T>> {
    return this.create('JoinableQueue', [maxsize]) as Promise<JoinableQueueProxy<T>>;
  }
  Lock(): Promise<LockProxy> {
    return this.create('Lock', []) as Promise<LockProxy>;
  }
  RLock(): Promise<AcquirerProxy> {
    return this.create('RLock', []) as Promise<AcquirerProxy>;
  }
  Semaphore(value = 1): Promise<SemaphoreProxy> {
    return this.create('Semaphore', [value]) as Promise<SemaphoreProxy>;
  }
  BoundedSemaphore(value = 1): Promise<SemaphoreProxy> {
    return this.create('BoundedSemaphore', [value]) as Promise<SemaphoreProxy>;
  }
  /** A Condition over this manager's Lock or RLock (default: a new RLock). */
  Condition(lock?: LockProxy | AcquirerProxy): Promise<ConditionProxy> {
    return this.create('Condition', lock === undefined ? [] : [lock]) as Promise<ConditionProxy>;
  }
  Event(): Promise<EventProxy> {
    return this.create('Event', []) as Promise<EventProxy>;
  }
  async Barrier(parties: number, options: ManagerBarrierOptions = {}): Promise<BarrierProxy> {
    const action = options.action === undefined ? null : referenceOf(options.action, 'the action of a manager Barrier');
    return (await this.create('Barrier', [parties, action, options.timeout])) as BarrierProxy;
  }
}

const acquirer = ['acquire', 'release'];
const standard: [typeid: string, factory: string, proxy: ProxyClass, exposed: string[]][] = [
  ['dict', 'makeDict', DictProxy, ['get', 'set', 'has', 'delete', 'keys', 'values', 'items', 'len', 'pop', 'popitem', 'setdefault', 'update', 'clear', 'copy']],
  ['list', 'makeList', ListProxy, ['get', 'set', 'append', 'extend', 'insert', 'pop', 'remove', 'index', 'count', 'reverse', 'sort', 'len', 'slice', 'clear', 'copy']],
  ['Namespace', 'makeNamespace', NamespaceProxy, ['get', 'set', 'delete', 'has', 'copy']],
  ['Value', 'makeValue', ValueProxy, ['get', 'set', 'repr']],
  ['Array', 'makeArray', ArrayProxy, ['get', 'set', 'len', 'slice', 'copy', 'repr']],
  ['Queue', 'makeQueue', QueueProxy, ['put', 'get', 'putNowait', 'getNowait', 'qsize', 'empty', 'full']],
  ['JoinableQueue', 'makeJoinableQueue', JoinableQueueProxy, ['put', 'get', 'putNowait', 'getNowait', 'qsize', 'empty', 'full', 'taskDone', 'join']],
  ['Lock', 'makeLock', LockProxy, [...acquirer, 'locked']],
  ['RLock', 'makeRLock', AcquirerProxy, acquirer],
  ['Semaphore', 'makeSemaphore', SemaphoreProxy, [...acquirer, 'getValue']],
  ['BoundedSemaphore', 'makeBoundedSemaphore', SemaphoreProxy, [...acquirer, 'getValue']],
  ['Condition', 'makeCondition', ConditionProxy, [...acquirer, 'wait', 'notify', 'notifyAll']],
  ['Event', 'makeEvent', EventProxy, ['set', 'clear', 'isSet', 'wait']],
  ['Barrier', 'makeBarrier', BarrierProxy, ['wait', 'abort', 'reset', 'parties', 'nWaiting', 'broken']],
];
for (const [typeid, name, proxytype, exposed] of standard) {
  SyncManager.register(typeid, { callable: factory(name), proxytype, exposed, createMethod: false });
}

export interface ManagerOptions extends BaseManagerOptions, StartOptions {}

/** A started SyncManager (Python's multiprocessing.Manager()): `await using manager = await Manager()`. */
export async function Manager(options: ManagerOptions = {}): Promise<SyncManager> {
  const manager = new SyncManager(options);
  await manager.start(options);
  return manager;
}
