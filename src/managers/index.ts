/** What the managers module offers (the main entry and multiprocessing-ts/managers re-export it). */
export { BaseManager, type BaseManagerOptions, type RegisterOptions, type StartOptions } from './base-manager.js';
export { SyncManager, Manager, type ManagerOptions, type ManagerBarrierOptions } from './sync-manager.js';
export { BaseProxy, AutoProxy, type AutoProxyOf, type Proxied, type ProxyClass } from './proxy.js';
export {
  DictProxy,
  ListProxy,
  NamespaceProxy,
  ValueProxy,
  ArrayProxy,
  QueueProxy,
  JoinableQueueProxy,
  AcquirerProxy,
  LockProxy,
  SemaphoreProxy,
  ConditionProxy,
  EventProxy,
  BarrierProxy,
  type BlockingOptions,
  type WaitLimit,
} from './proxies.js';
