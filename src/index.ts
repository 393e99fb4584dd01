/**
 * multiprocessing-ts: Python's multiprocessing for Node.js. The public API, and only it.
 * (subprocess lives at 'multiprocessing-ts/subprocess'.)
 */
export {
  Process,
  ParentProcess,
  activeChildren,
  currentProcess,
  isMainProcess,
  parentProcess,
  type ProcessOptions,
  type Target,
  type UnknownTarget,
} from './process.js';
export {
  Context,
  ForkserverProcess,
  SpawnProcess,
  ThreadProcess,
  cpuCount,
  freezeSupport,
  getAllStartMethods,
  getContext,
  getStartMethod,
  setStartMethod,
} from './context.js';
export type { StartMethod } from './start-methods.js';
export type { ResourceLimits } from './popen/popen.js';
export type { ModuleReference } from './reference.js';
export { Lock, RLock } from './synchronize/lock.js';
export { Semaphore, BoundedSemaphore } from './synchronize/semaphore.js';
export { Event, type WaitOptions } from './synchronize/event.js';
export { Condition } from './synchronize/condition.js';
export { Barrier, type BarrierOptions } from './synchronize/barrier.js';
export type { AcquireOptions, SyncAcquireOptions, Held } from './synchronize/acquirable.js';
export {
  Value,
  RawValue,
  SharedArray,
  SharedArray as Array,
  RawArray,
  type SharedCtypeOptions,
  type Typecode,
  type TypecodeInput,
  type TypecodeValue,
  type TypedArrayOf,
} from './sharedctypes.js';
export { SharedMemory, type SharedMemoryOptions } from './shared-memory.js';
export { Queue, JoinableQueue, SimpleQueue, type QueueOptions, type PutOptions, type GetOptions } from './queues.js';
import './resource-sharer.js'; // net.Socket and net.Server cross to processes and pool tasks
export { Pipe, Connection, type PipeOptions, type ReceiveOptions, type PollOptions } from './connection.js';
export { Listener, Client, type Address, type ListenerOptions, type AcceptOptions, type ClientOptions } from './listener.js';
export { SocketConnection, type SocketReceiveOptions } from './socket-connection.js';
export * from './managers/index.js';
export type { Server as ManagerServer } from './managers/server.js';
export {
  Pool,
  ThreadPool,
  type PoolOptions,
  type ApplyOptions,
  type MapAsyncOptions,
  type ImapOptions,
  type ResultOf,
} from './pool/pool.js';
export { AsyncResult, type ResultCallbacks } from './pool/async-result.js';
export { move } from './pool/move.js';
export {
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  type ExecutorOptions,
  type ExecutorMapOptions,
  type ShutdownOptions,
} from './futures/executor.js';
export { Future } from './futures/future.js';
export {
  asCompleted,
  wait,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  ALL_COMPLETED,
  type ReturnWhen,
  type AsCompletedOptions,
  type WaitFuturesOptions,
  type DoneAndNotDone,
} from './futures/wait.js';
export type { MapOptions, Progress } from './pool/map.js';
export type { TaskOptions } from './pool/scheduler.js';
export {
  BrokenBarrierError,
  BrokenExecutor,
  BrokenProcessPool,
  BrokenThreadPool,
  CancelledError,
  WorkerLostError,
  type WorkerDetails,
  BrokenPipeError,
  BufferTooShort,
  EOFError,
  Empty,
  FileExistsError,
  Full,
  MessageTooLongError,
  FileNotFoundError,
  LockNotOwnedError,
  MultiprocessingError,
  ProcessError,
  SerializationError,
  TimeoutError,
  UnsupportedPlatformError,
  ValueError,
  AuthenticationError,
  RemoteError,
} from './errors.js';
