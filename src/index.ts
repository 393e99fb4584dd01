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
export type { ModuleReference } from './reference.js';
export {
  MultiprocessingError,
  ProcessError,
  SerializationError,
  TimeoutError,
  UnsupportedPlatformError,
} from './errors.js';
