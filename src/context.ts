/**
 * Start methods and contexts (CPython's context.py). A context is the API bound to one start
 * method: `getContext('thread').Process` starts worker threads.
 */
import { availableParallelism } from 'node:os';
import { ProcessError } from './errors.js';
import {
  Process,
  activeChildren,
  currentProcess,
  isMainProcess,
  kBuiltinClass,
  parentProcess,
  type Target,
  type UnknownTarget,
} from './process.js';
import { isStartMethod, startMethods, type StartMethod } from './start-methods.js';
import { Pipe } from './connection.js';
import { Pool as BasePool, ThreadPool } from './pool/pool.js';
import { JoinableQueue, Queue, SimpleQueue } from './queues.js';
import { RawArray, RawValue, SharedArray, Value } from './sharedctypes.js';
import { Barrier } from './synchronize/barrier.js';
import { Condition } from './synchronize/condition.js';
import { Event } from './synchronize/event.js';
import { Lock, RLock } from './synchronize/lock.js';
import { BoundedSemaphore, Semaphore } from './synchronize/semaphore.js';
import { processState } from './state.js';

/** A Process that always starts a new Node.js process. */
export class SpawnProcess<F extends Target = UnknownTarget> extends Process<F> {
  static override startMethod: StartMethod | null = 'spawn';
  static override [kBuiltinClass] = 'SpawnProcess';
}
Process.registerBuiltinClass(SpawnProcess);

/** A Process that runs in a worker thread of this process. */
export class ThreadProcess<F extends Target = UnknownTarget> extends Process<F> {
  static override startMethod: StartMethod | null = 'thread';
  static override [kBuiltinClass] = 'ThreadProcess';
}
Process.registerBuiltinClass(ThreadProcess);

/** A Process started in a Node.js process booted ahead of time (Python's 'forkserver' role). */
export class ForkserverProcess<F extends Target = UnknownTarget> extends Process<F> {
  static override startMethod: StartMethod | null = 'forkserver';
  static override [kBuiltinClass] = 'ForkserverProcess';
}
Process.registerBuiltinClass(ForkserverProcess);

function checkMethod(method: unknown): StartMethod {
  if (!isStartMethod(method)) {
    throw new TypeError(`Unknown start method ${JSON.stringify(method)}; expected one of ${startMethods.join(', ')}`);
  }
  return method;
}

/** Number of CPUs usable by this process. */
export function cpuCount(): number {
  return availableParallelism();
}

/**
 * Python's freeze_support(): only frozen Windows executables need it there. Nothing is frozen
 * here, so it does nothing; it exists so ported code runs unchanged.
 */
export function freezeSupport(): void {}

/** Every start method this platform offers, the default first. */
export function getAllStartMethods(): StartMethod[] {
  return [...startMethods];
}

/**
 * The start method in use. Like Python, asking fixes the default ('spawn') unless
 * `allowNone` is set, after which setStartMethod() needs `force`.
 */
export function getStartMethod(options: { allowNone?: boolean } = {}): StartMethod | null {
  const state = processState();
  if (state.startMethod === null && options.allowNone !== true) state.startMethod = 'spawn';
  return state.startMethod;
}

/** Chooses the default start method, once (pass `force` to change it again). */
export function setStartMethod(method: StartMethod | null, options: { force?: boolean } = {}): void {
  const state = processState();
  if (state.startMethod !== null && options.force !== true) {
    throw new ProcessError(
      `The start method is already set to '${state.startMethod}'; pass { force: true } to change it`,
      'ERR_CONTEXT_SET',
    );
  }
  state.startMethod = method === null ? null : checkMethod(method);
}

/** The API bound to one start method (or, for the default context, to the chosen default). */
export class Context {
  readonly #method: StartMethod | null;

  constructor(method: StartMethod | null) {
    this.#method = method === null ? null : checkMethod(method);
  }

  /** The Process class of this context. */
  get Process(): typeof Process {
    if (this.#method === 'spawn') return SpawnProcess;
    if (this.#method === 'thread') return ThreadProcess;
    if (this.#method === 'forkserver') return ForkserverProcess;
    return Process;
  }

  getStartMethod(options: { allowNone?: boolean } = {}): StartMethod | null {
    return this.#method ?? getStartMethod(options);
  }

  getContext(method?: StartMethod | null): Context {
    return getContext(method);
  }

  // Shared memory, locks, queues and pipes work the same under every start method (Python's ctx.Lock()…).
  readonly Lock = Lock;
  readonly RLock = RLock;
  readonly Semaphore = Semaphore;
  readonly BoundedSemaphore = BoundedSemaphore;
  readonly Event = Event;
  readonly Condition = Condition;
  readonly Barrier = Barrier;
  readonly Value = Value;
  readonly RawValue = RawValue;
  readonly Array = SharedArray;
  readonly SharedArray = SharedArray;
  readonly RawArray = RawArray;
  readonly Queue = Queue;
  readonly JoinableQueue = JoinableQueue;
  readonly SimpleQueue = SimpleQueue;
  readonly Pipe = Pipe;

  #Pool: typeof BasePool | null = null;

  /** A Pool whose workers start with this context's method (Python's ctx.Pool()). */
  get Pool(): typeof BasePool {
    if (this.#Pool === null) {
      const method = this.#method ?? undefined;
      this.#Pool = class Pool extends BasePool {
        static override defaultContext = method;
      };
    }
    return this.#Pool;
  }
  readonly ThreadPool = ThreadPool;

  readonly setStartMethod = setStartMethod;
  readonly getAllStartMethods = getAllStartMethods;
  readonly cpuCount = cpuCount;
  readonly currentProcess = currentProcess;
  readonly parentProcess = parentProcess;
  readonly activeChildren = activeChildren;
  readonly isMainProcess = isMainProcess;
  readonly freezeSupport = freezeSupport;
}

const contexts = new Map<StartMethod | null, Context>();

/** The context of a start method; without one, the default context. */
export function getContext(method: StartMethod | null = null): Context {
  const key = method === null ? null : checkMethod(method);
  let context = contexts.get(key);
  if (context === undefined) {
    context = new Context(key);
    contexts.set(key, context);
  }
  return context;
}

/** A `context` option: a Context, a start method's name, or (undefined) the default context. */
export function contextOf(context: Context | StartMethod | undefined, what: string): Context {
  if (context === undefined || context === null) return getContext();
  if (typeof context === 'string') {
    if (!isStartMethod(context)) throw new TypeError(`${what}: unknown start method ${JSON.stringify(context)}`);
    return getContext(context);
  }
  if (typeof context !== 'object' || typeof (context as Context).getStartMethod !== 'function') {
    throw new TypeError(`${what}: context must be a Context (getContext('thread')) or a start method name`);
  }
  return context;
}
