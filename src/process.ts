/**
 * The public process object (CPython's process.py): `Process`, the current and parent process,
 * live children. How a child is launched lives in popen/, how it starts up in spawn/.
 */
import { createRequire } from 'node:module';
import { ProcessError } from './errors.js';
import { SpawnPopen } from './popen/spawn.js';
import { ThreadPopen } from './popen/thread.js';
import { checkTimeout, inspectCustom } from './util.js';
import type { Popen, ResourceLimits, ThreadMessages } from './popen/popen.js';
import { createReduceContext, dumps } from './reduction.js';
import {
  explicitReference,
  isModuleReference,
  referenceOf,
  type ModuleReference,
  type ResolvedReference,
} from './reference.js';
import { isStartMethod, type StartMethod } from './start-methods.js';
import { processState, type ParentInfo } from './state.js';

/** Any function a process can run. */
export type Target = (...args: never[]) => unknown;

/** The type of `args` when the target's type is not known (a `{ module, name }` reference). */
export type UnknownTarget = (...args: unknown[]) => unknown;

interface CommonOptions {
  /** Python's keyword arguments: passed to the target as one final options argument. */
  kwargs?: Record<string, unknown>;
  /** Defaults to `ClassName-N` (`Process-1`, `Process-1:2` in a child). */
  name?: string;
  /** Defaults to the creating process's own daemon flag. */
  daemon?: boolean;
  /** Heap and stack limits: a child over its heap limit dies alone (a thread's OOM would end this process). */
  resourceLimits?: ResourceLimits;
}

/**
 * Options of `new Process(...)`. With a function target, `args` must match its parameters;
 * with a `{ module, name }` reference the types are not known, so any arguments go.
 */
export type ProcessOptions<F extends Target = UnknownTarget> =
  | (CommonOptions & {
      /** An exported function, found by reference as Python's pickle finds it. */
      target?: F;
      /** Positional arguments for the target. */
      args?: Parameters<F>;
    })
  | (CommonOptions & {
      /** An explicit reference to an exported function. */
      target: ModuleReference;
      args?: unknown[];
    });

/** What a child receives from its parent (see spawn/bootstrap). */
export interface ChildPayload {
  name: string;
  identity: number[];
  daemon: boolean;
  authkey: Uint8Array;
  parent: ParentInfo;
  /** The user's Process subclass, or the name of a built-in class. */
  processClass: ResolvedReference | string;
  /**
   * A built-in class whose run() is Process's own, which only calls the target: the child
   * calls the target itself and makes the Process object only if asked (currentProcess()).
   */
  plainRun: boolean;
  target: ResolvedReference | null;
  args: unknown[];
  kwargs: Record<string, unknown> | null;
  /** Own enumerable fields of a subclass instance (Python pickles the object's __dict__). */
  fields: Record<string, unknown>;
}

// Internal state hides behind symbols so subclasses' own fields never collide with it.
const kState = Symbol('multiprocessing-ts.process');
/** Marks the library's own Process classes; the child rebuilds those without a reference. */
export const kBuiltinClass = Symbol('multiprocessing-ts.builtinClass');
/** Internal: build the child's own process object from its payload. */
export const kRestore = Symbol('multiprocessing-ts.restore');
/** Internal: a started thread child's message port (null for a process child). */
export const kMessages = Symbol('multiprocessing-ts.messages');

interface State {
  target: Target | ModuleReference | null;
  args: unknown[];
  kwargs: Record<string, unknown> | null;
  name: string;
  daemon: boolean;
  authkey: Uint8Array | null;
  identity: number[];
  popen: Popen | null;
  /** The pid of the process that created this object: only it may start, join or stop it. */
  creator: number;
  closed: boolean;
  /** This object is the running process itself (in a child, or MainProcess). */
  self: boolean;
  resourceLimits: ResourceLimits | undefined;
}

const builtinClasses = new Map<string, typeof Process>();

/**
 * A process or thread running `target(...args)` (or the subclass's `run()`), as Python's
 * `multiprocessing.Process`. Timeouts are in milliseconds.
 */
export class Process<F extends Target = UnknownTarget> {
  /** The start method this class uses; null follows setStartMethod() (default 'spawn'). */
  static startMethod: StartMethod | null = null;
  static [kBuiltinClass] = 'Process';

  declare private [kState]: State;

  constructor(options: ProcessOptions<F> = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('Process: options must be an object like { target, args, name, daemon }');
    }
    const { target, args = [], kwargs, name, daemon, resourceLimits } = options as CommonOptions & {
      target?: unknown;
      args?: unknown;
    };
    if (target !== undefined && target !== null && typeof target !== 'function' && !isModuleReference(target)) {
      throw new TypeError('Process: target must be a function or a { module, name } reference');
    }
    if (!Array.isArray(args)) throw new TypeError('Process: args must be an array of arguments for the target');
    if (kwargs !== undefined && (typeof kwargs !== 'object' || kwargs === null)) {
      throw new TypeError('Process: kwargs must be an object');
    }
    checkLimits(resourceLimits);
    const current = processState();
    const identity = [...current.identity, ++current.childCounter];
    Object.defineProperty(this, kState, {
      enumerable: false,
      writable: false,
      value: {
        target: (target ?? null) as Target | ModuleReference | null,
        args: [...(args as unknown[])],
        kwargs: kwargs ?? null,
        name: '',
        daemon: current.daemon,
        authkey: null,
        identity,
        popen: null,
        creator: process.pid,
        closed: false,
        self: false,
        resourceLimits,
      } satisfies State,
    });
    this.name = name ?? `${new.target.name}-${identity.join(':')}`;
    if (daemon !== undefined) this.daemon = daemon;
  }

  /** What runs in the child. Override it in a subclass; the default calls the target. */
  run(): unknown {
    const { target, args, kwargs } = this[kState];
    if (typeof target !== 'function') return undefined;
    const call = target as (...a: unknown[]) => unknown;
    return kwargs === null ? call(...args) : call(...args, kwargs);
  }

  /** Starts the child. Throws synchronously if the target or arguments cannot cross. */
  start(): void {
    const state = checkOwner(this[kState], 'start');
    if (state.popen !== null) throw new ProcessError(`${state.name}: cannot start a process twice`, 'ERR_PROCESS_STARTED');
    const current = processState();
    if (current.bootstrapping) {
      throw new ProcessError(
        'An attempt was made to start a new process before the current process finished its bootstrapping ' +
          'phase. This probably means a module imported by the child starts processes at the top level: ' +
          'guard that code with `if (isMainProcess()) { … }` (Python\'s `if __name__ == "__main__":`).',
        'ERR_PROCESS_BOOTSTRAPPING',
      );
    }
    if (current.daemon && current.parent !== null) {
      throw new ProcessError('daemonic processes are not allowed to have children', 'ERR_PROCESS_DAEMONIC');
    }
    const method = startMethodOf(this.constructor as typeof Process);
    const context = createReduceContext(method);
    const payload = dumps(payloadOf(this, state, method), context, state.name);
    const options = { payload, daemon: state.daemon, resourceLimits: state.resourceLimits };
    state.popen = method === 'thread' ? new ThreadPopen(options) : new SpawnPopen(options, method === 'forkserver');
    current.children.add(this);
    void state.popen.exited.then(() => {
      current.children.delete(this);
      for (const undo of context.unclaimed) undo();
    });
    installExitHook();
  }

  /**
   * Waits for the child to end, at most `timeout` ms. Resolves with the exit code, or null if
   * the timeout passed first (Python's join returns None either way; check `exitcode`).
   */
  async join(timeout?: number): Promise<number | null> {
    const state = checkOwner(this[kState], 'join');
    const ms = checkTimeout(timeout, `${state.name}.join()`);
    const popen = state.popen;
    if (popen === null) throw new ProcessError(`${state.name}: can only join a started process`, 'ERR_PROCESS_NOT_STARTED');
    if (popen.exitcode !== null) return popen.exitcode;
    // A daemonic child does not hold the event loop; a pending join must.
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<null>((resolve) => {
      timer = ms === undefined ? setInterval(() => {}, 2 ** 30) : setTimeout(() => resolve(null), ms);
    });
    try {
      return await Promise.race([popen.exited, waited]);
    } finally {
      clearInterval(timer);
    }
  }

  /** True from start() until the child has ended. */
  isAlive(): boolean {
    const state = this[kState];
    if (state.self) return true;
    checkOpen(state);
    return state.popen !== null && state.popen.exitcode === null;
  }

  /** Sends SIGTERM (a thread is stopped; exitcode -15). No effect once the child has ended. */
  terminate(): void {
    startedPopen(this[kState], 'terminate()').terminate();
  }

  /** Sends SIGKILL (a thread is stopped; exitcode -9). No effect once the child has ended. */
  kill(): void {
    startedPopen(this[kState], 'kill()').kill();
  }

  /** Releases the process object. Throws while the child runs: join() or terminate() first. */
  close(): void {
    const state = this[kState];
    if (state.closed) return;
    if (state.popen !== null && state.popen.exitcode === null) {
      throw new ProcessError(
        `${state.name}: cannot close a process while it is still running; call join() or terminate() first`,
        'ERR_PROCESS_RUNNING',
      );
    }
    processState().children.delete(this);
    state.popen = null;
    state.closed = true;
  }

  get name(): string {
    return this[kState].name;
  }

  /** The name is a label for this object only (as in Python): renaming a started child does not reach it. */
  set name(value: string) {
    if (typeof value !== 'string') throw new TypeError(`Process name must be a string, got ${typeof value}`);
    this[kState].name = value;
  }

  get daemon(): boolean {
    return this[kState].daemon;
  }

  set daemon(value: boolean) {
    const state = this[kState];
    if (typeof value !== 'boolean') throw new TypeError(`${state.name}: daemon must be a boolean, got ${typeof value}`);
    if (state.popen !== null || state.self) {
      throw new ProcessError(`${state.name}: daemon can only be set before start()`, 'ERR_PROCESS_STARTED');
    }
    state.daemon = value;
  }

  /** The authentication key (32 random bytes, inherited by children). */
  get authkey(): Uint8Array {
    const state = this[kState];
    return state.authkey ?? currentAuthkey();
  }

  set authkey(value: Uint8Array) {
    if (!(value instanceof Uint8Array)) throw new TypeError('authkey must be a Uint8Array (e.g. a Buffer)');
    this[kState].authkey = Uint8Array.from(value);
    if (this[kState].self) processState().authkey = Uint8Array.from(value);
  }

  /** The OS process id (a thread child shares its parent's); null before start. */
  get pid(): number | null {
    const state = this[kState];
    if (state.self) return process.pid;
    checkOpen(state);
    return state.popen?.pid ?? null;
  }

  /** Python's alias for pid. */
  get ident(): number | null {
    return this.pid;
  }

  /** Null while running (or before start); then 0, 1, the exit code, or -N for signal N. */
  get exitcode(): number | null {
    const state = this[kState];
    if (state.self) return null;
    checkOpen(state);
    return state.popen?.exitcode ?? null;
  }

  /** Resolves with the exit code when the child ends (Python's waitable sentinel). */
  get sentinel(): Promise<number> {
    return startedPopen(this[kState], 'sentinel').exited;
  }

  [kMessages](): ThreadMessages | null {
    const popen = this[kState].popen;
    return popen instanceof ThreadPopen ? popen : null;
  }

  [inspectCustom](): string {
    const state = this[kState];
    let status = 'initial';
    if (state.self) status = 'started';
    else if (state.closed) status = 'closed';
    else if (state.popen !== null) {
      const code = state.popen.exitcode;
      status = code === null ? 'started' : `stopped exitcode=${code}`;
    }
    const daemon = state.daemon ? ' daemon' : '';
    return `<${this.constructor.name} name='${state.name}' pid=${state.self ? process.pid : (state.popen?.pid ?? 'null')} ${status}${daemon}>`;
  }

  toString(): string {
    return this[inspectCustom]();
  }

  /** Child side: this process's own object, built without running any constructor. */
  static [kRestore](cls: typeof Process, payload: ChildPayload, target: Target | null): Process {
    const self = Object.create(cls.prototype) as Process;
    Object.assign(self, payload.fields);
    Object.defineProperty(self, kState, {
      enumerable: false,
      writable: false,
      value: {
        target,
        args: payload.args,
        kwargs: payload.kwargs,
        name: payload.name,
        daemon: payload.daemon,
        authkey: payload.authkey,
        identity: payload.identity,
        popen: null,
        creator: process.pid,
        closed: false,
        self: true,
        resourceLimits: undefined,
      } satisfies State,
    });
    return self;
  }

  /** Child side: the built-in class a payload names. */
  static builtinClass(name: string): typeof Process | undefined {
    return builtinClasses.get(name);
  }

  /** Registers a library Process class so children rebuild it without a module reference. */
  static registerBuiltinClass(cls: typeof Process): void {
    builtinClasses.set(cls[kBuiltinClass], cls);
  }
}
Process.registerBuiltinClass(Process);

// Module functions, not #private methods: a child's own Process object is made without its
// constructor (Python unpickles it the same way), so private brands would be missing.

function checkLimits(limits: unknown): void {
  if (limits === undefined) return;
  if (typeof limits !== 'object' || limits === null) throw new TypeError('Process: resourceLimits must be an object');
  for (const [key, value] of Object.entries(limits)) {
    if (!['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'stackSizeMb'].includes(key)) {
      throw new TypeError(`Process: unknown resourceLimits field ${key}`);
    }
    if (typeof value !== 'number' || !(value > 0)) throw new TypeError(`Process: resourceLimits.${key} must be a positive number of MB`);
  }
}

function checkOpen(state: State): State {
  if (state.closed) throw new ProcessError(`${state.name}: process object is closed`, 'ERR_PROCESS_CLOSED');
  return state;
}

function checkOwner(state: State, action: string): State {
  checkOpen(state);
  if (state.creator !== process.pid || state.self) {
    throw new ProcessError(`${state.name}: can only ${action} a process created by this process`, 'ERR_PROCESS_OWNER');
  }
  return state;
}

function startedPopen(state: State, action: string): Popen {
  checkOpen(state);
  if (state.popen === null) {
    throw new ProcessError(`${state.name}: ${action} needs a started process; call start() first`, 'ERR_PROCESS_NOT_STARTED');
  }
  return state.popen;
}

function startMethodOf(cls: typeof Process): StartMethod {
  const state = processState();
  // As in Python, starting through the default context fixes its start method.
  const method = cls.startMethod ?? (state.startMethod ??= 'spawn');
  if (!isStartMethod(method)) throw new TypeError(`Unknown start method ${String(method)}`);
  return method;
}

function payloadOf(proc: Process, state: State, method: StartMethod): ChildPayload {
  const current = processState();
  const cls = proc.constructor as typeof Process;
  const builtin = Object.prototype.hasOwnProperty.call(cls, kBuiltinClass) ? cls[kBuiltinClass] : null;
  const processClass = builtin ?? referenceOf(cls as unknown as Target, `${state.name} (class ${cls.name})`);
  let target: ResolvedReference | null = null;
  if (typeof state.target === 'function') target = referenceOf(state.target, `target of ${state.name}`);
  else if (state.target !== null) target = explicitReference(state.target);
  if (target === null && builtin !== null) {
    throw new ProcessError(
      `${state.name} has no target: pass { target } or subclass Process and override run()`,
      'ERR_PROCESS_NO_TARGET',
    );
  }
  return {
    name: state.name,
    identity: state.identity,
    daemon: state.daemon,
    authkey: proc.authkey,
    parent: { pid: process.pid, name: current.name, startMethod: method },
    processClass,
    plainRun: builtin !== null && cls.prototype.run === Process.prototype.run,
    target,
    args: state.args,
    kwargs: state.kwargs,
    fields: { ...proc },
  };
}

/**
 * At exit, daemonic children are ended (Python terminates them). Non-daemonic ones were already
 * waited for: their handles keep the event loop alive. Should this process die without running
 * this (SIGKILL, a crash), the kernel's parent-death signal ends the children instead.
 */
function installExitHook(): void {
  const state = processState();
  if (state.exitHookInstalled) return;
  state.exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of state.children) {
      const p = child as Process;
      if (p.daemon && p.exitcode === null) p.terminate();
    }
  });
}

// Loaded on first use: children start faster without node:crypto.
const require = createRequire(import.meta.url);

function currentAuthkey(): Uint8Array {
  const state = processState();
  state.authkey ??= new Uint8Array((require('node:crypto') as typeof import('node:crypto')).randomBytes(32));
  return state.authkey;
}

/** The parent of a child process, as seen from the child (Python's `_ParentProcess`). */
export class ParentProcess {
  constructor(readonly name: string, readonly pid: number, readonly startMethod: StartMethod) {}

  /** A thread's parent lives as long as the thread; a process's parent may die first. */
  isAlive(): boolean {
    if (this.startMethod === 'thread') return true;
    return process.ppid === this.pid;
  }

  [inspectCustom](): string {
    return `<ParentProcess name='${this.name}' pid=${this.pid}>`;
  }
}

/** The Process object of the running process: 'MainProcess' in the main one. */
export function currentProcess(): Process {
  const state = processState();
  if (state.current === null && state.own !== null) {
    // A child that ran its target without the library (spawn/bootstrap): made on first ask.
    const { payload, target } = state.own;
    const cls = builtinClasses.get(payload.processClass as string) ?? Process;
    state.current = Process[kRestore](cls, payload, target);
  }
  if (state.current === null) {
    state.current = Process[kRestore](
      Process,
      {
        name: state.name,
        identity: state.identity,
        daemon: state.daemon,
        authkey: currentAuthkey(),
        parent: { pid: 0, name: '', startMethod: 'spawn' },
        processClass: 'Process',
        plainRun: true,
        target: null,
        args: [],
        kwargs: null,
        fields: {},
      },
      null,
    );
  }
  return state.current as Process;
}

/** The parent process, or null in the main process. */
export function parentProcess(): ParentProcess | null {
  const { parent } = processState();
  return parent === null ? null : new ParentProcess(parent.name, parent.pid, parent.startMethod);
}

/** Children of this process that are still running. */
export function activeChildren(): Process[] {
  return [...processState().children].filter((child) => (child as Process).exitcode === null) as Process[];
}

/** True in the main process, false in every child: Python's `if __name__ == '__main__':`. */
export function isMainProcess(): boolean {
  return processState().parent === null;
}
