/** multiprocessing-ts/managers: Python's multiprocessing.managers, by its names. */
export { BaseManager, type BaseManagerOptions, type RegisterOptions, type StartOptions } from '../managers/base-manager.js';
export { SyncManager, Manager, type ManagerOptions, type ManagerBarrierOptions } from '../managers/sync-manager.js';
export { BaseProxy, AutoProxy, type AutoProxyOf, type Proxied, type ProxyClass } from '../managers/proxy.js';
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
} from '../managers/proxies.js';
export type { Server } from '../managers/server.js';
export { RemoteError, AuthenticationError } from '../errors.js';
