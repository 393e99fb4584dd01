/**
 * Per-thread process state. Kept on `globalThis` under a registered symbol so that two copies
 * of the library loaded in one thread (e.g. the bootstrap's and the user's) agree on who the
 * current process is. Each worker thread has its own globalThis, hence its own state.
 */
import type { ChildPayload } from './process.js';
import type { StartMethod } from './start-methods.js';

export interface ParentInfo {
  readonly pid: number;
  readonly name: string;
  /** How this process was started from its parent. */
  readonly startMethod: StartMethod;
}

export interface ProcessState {
  /** Null in the main process. */
  parent: ParentInfo | null;
  /** Process identity: [] for the main process, [N] for Process-N, [N, M] for Process-N:M. */
  identity: number[];
  name: string;
  daemon: boolean;
  authkey: Uint8Array | null;
  /** Counter for naming this process's children. */
  childCounter: number;
  /** True while a child imports its target's modules: starting processes then is an error. */
  bootstrapping: boolean;
  /** Process objects this process started that may still run. */
  children: Set<object>;
  /** Whether the at-exit handler that ends daemonic children is installed. */
  exitHookInstalled: boolean;
  /** The object `currentProcess()` returns; created lazily. */
  current: object | null;
  /**
   * In a child whose target runs without the library (spawn/bootstrap): what its parent sent,
   * from which `currentProcess()` makes the child's Process object if it is ever asked for.
   */
  own: { payload: ChildPayload; target: ((...args: never[]) => unknown) | null } | null;
  /** Start method chosen by setStartMethod(); null means "not fixed yet". */
  startMethod: StartMethod | null;
}

const key = Symbol.for('multiprocessing-ts.state');

type StateHolder = { [key]?: ProcessState };

export function processState(): ProcessState {
  const holder = globalThis as StateHolder;
  let state = holder[key];
  if (state === undefined) {
    state = {
      parent: null,
      identity: [],
      name: 'MainProcess',
      daemon: false,
      authkey: null,
      childCounter: 0,
      bootstrapping: false,
      children: new Set(),
      exitHookInstalled: false,
      current: null,
      own: null,
      startMethod: null,
    };
    holder[key] = state;
  }
  return state;
}
