/**
 * The engine under Pool and ProcessPoolExecutor (and their thread forms): workers, the tasks
 * waiting for one, the tasks in flight, results, and what happens when a worker dies.
 *
 * Each worker has a task channel of its own; all share one result channel (channel.ts). The
 * pool hands out tasks itself, a few at a time per worker (more while tasks are quick, so
 * the workers never wait for the pool; fewer while they are slow, so no task waits behind a
 * long one while another worker idles). Because the pool knows where every task is, and the
 * task table (task-table.ts) tells whether a worker started it, a worker's death settles
 * exactly the task it was running; the tasks queued behind it go to another worker.
 */
import { Channel } from '../channel.js';
import { CancelledError, TimeoutError, ValueError, type WorkerDetails } from '../errors.js';
import { runAsync } from '../futex.js';
import { encode, type Outgoing } from '../message.js';
import type { ResourceLimits } from '../popen/popen.js';
import { kMessages, type Process } from '../process.js';
import { explicitReference, isModuleReference, referenceOf, type ModuleReference, type ResolvedReference } from '../reference.js';
import { CALL, FATAL, INIT_FAILED, PORTED, STOP, encodeDefinition, encodeTask, isPorted, portedMessage, portedValues, resultOf, succeeded, type ArgsCache, type Mode, type PortedMessage, type ResultRecord, type TaskArgs, type WorkerConfig } from './protocol.js';
import { errorFrom } from '../error-state.js';
import { callSafely } from './eventual.js';
import { InFlight, type Placed } from './in-flight.js';
import { TaskTable } from './task-table.js';

/** Fewest and most tasks handed to one worker ahead of its results. */
const MIN_DEPTH = 2;
const MAX_DEPTH = 256;
/** A worker is given about this much work ahead (by its recent task times). */
const AHEAD_MS = 2;
const TASK_BUFFER = 1 << 20;
const RESULT_BUFFER = 4 << 20;
/** The reason the receive loop's wait is aborted with (abort() without one makes a DOMException each time). */
const KICK = Symbol('kick');
const WORKER_TARGET: ModuleReference = { module: new URL('./worker.js', import.meta.url).href, name: 'poolWorker' };

export type Settle = (ok: boolean, value: unknown) => void;
export type ErrorFactory = (message: string, details: WorkerDetails, cause?: unknown) => Error;

export interface SchedulerOptions {
  /** Pool, ProcessPoolExecutor…: heads error messages. */
  readonly what: string;
  readonly processes: number;
  /** The context's Process class: it decides the start method. */
  readonly ProcessClass: new (options: object) => Process;
  /** Workers are named `${namePrefix}-N`. */
  readonly namePrefix: string;
  readonly initializer: ResolvedReference | null;
  readonly initargs: unknown[];
  readonly resourceLimits: ResourceLimits | undefined;
  /** A worker is replaced after this many tasks (null: never). */
  readonly maxTasksPerWorker: number | null;
  /** The error of a task whose worker died while running it. */
  readonly lostError: ErrorFactory;
  /** The error of every task once the pool cannot go on (a failing initializer). */
  readonly brokenError: ErrorFactory;
}

export interface TaskOptions {
  /** Abort the task: taken back if not started yet, else its worker is stopped and replaced. */
  readonly signal?: AbortSignal;
  /** Milliseconds from submission; then the task is aborted with a TimeoutError. */
  readonly timeout?: number;
}

/**
 * One unit of work: a call, or a chunk of a map. A subclass says what its outcome does (an
 * AsyncResult, a Future, a map's bookkeeping): no closure per task, which counts when a
 * hundred thousand are in flight.
 */
export abstract class Task implements ArgsCache, Placed {
  slot = -1;
  position = -1;
  generation = 0;
  worker: WorkerHandle | null = null;
  settled = false;
  cleanup: (() => void) | null = null;
  serialized: Uint8Array | null = null;
  /** Buffers to move to a thread worker with the arguments (apply's `transfer`). */
  transfer: readonly ArrayBuffer[] | null = null;
  /** Its arguments went to a worker's port: it cannot be sent to another worker. */
  ported = false;
  constructor(
    readonly functionId: number,
    readonly mode: Mode,
    readonly args: TaskArgs,
  ) {}

  /** The task's result (ok) or error; called once. */
  abstract onOutcome(ok: boolean, value: unknown): void;

  /** Whether onOutcome runs no user code (no callbacks): then it may run inside a submission. */
  quiet(): boolean {
    return false;
  }
}

/** A task whose outcome goes to a function (a chunk of a map). */
export class CallbackTask extends Task {
  constructor(
    functionId: number,
    mode: Mode,
    args: TaskArgs,
    readonly callback: Settle,
  ) {
    super(functionId, mode, args);
  }

  onOutcome(ok: boolean, value: unknown): void {
    this.callback(ok, value);
  }
}

class WorkerHandle {
  readonly inflight = new InFlight<Task>();
  /** Function ids whose references this worker has been sent. */
  readonly known: boolean[] = [];
  /** Messages for its channel, put in one go (Scheduler#flush). */
  readonly outbox: (Outgoing | undefined)[] = [];
  outCount = 0;
  readonly name: string;
  sent = 0;
  completed = 0;
  /** Sent STOP (retired, or the pool is closing): gets no more tasks. */
  stopped = false;
  /** Stopped by the pool (an aborted task): its death is no crash. */
  killed = false;
  avgMs = -1;
  depth = MIN_DEPTH;
  /** The uncaught error it reported before dying. */
  fatal: unknown = undefined;
  constructor(
    readonly id: number,
    readonly process: Process,
    readonly tasks: Channel,
  ) {
    this.name = process.name;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function describeExit(code: number | null): string {
  if (code === null) return 'ended';
  if (code < 0) {
    const signal = -code;
    const names: Record<number, string> = { 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM' };
    const name = names[signal] ?? `signal ${signal}`;
    return signal === 6 ? `was killed by ${name} (out of memory?)` : `was killed by ${name}`;
  }
  return `exited with code ${code}`;
}

export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #workers: WorkerHandle[] = [];
  readonly #results: Channel;
  readonly #table: TaskTable;
  readonly #slots: (Task | undefined)[];
  readonly #generations: number[];
  readonly #free: number[] = [];
  #pending: Task[] = [];
  #head = 0;
  #inflight = 0;
  #workerCounter = 0;
  #state: 'running' | 'closing' | 'terminated' = 'running';
  #broken: Error | null = null;
  #earlyDeaths = 0;
  #receiving = false;
  #wakeup = new AbortController();
  /** Set while results are taken inside a submission (the caller's code is on the stack). */
  #inline = false;
  /** Outcomes found then that run user code: [task, ok, value, …], delivered in a microtask. */
  #deferred: unknown[] = [];
  #submissions = 0;
  /** Moved results (thread workers' ports) and the result records waiting for them, by slot. */
  readonly #portedValues = new Map<number, PortedMessage>();
  readonly #portedRecords = new Map<number, ResultRecord>();
  readonly #functions = new Map<unknown, number>();
  readonly #referenceJson: string[] = [];

  constructor(options: SchedulerOptions) {
    this.#options = options;
    const size = Math.max(1024, 2 * options.processes * (MAX_DEPTH + 8));
    this.#table = new TaskTable(size);
    this.#slots = new Array<Task | undefined>(size);
    this.#generations = new Array<number>(size).fill(0);
    for (let slot = size - 1; slot >= 0; slot--) this.#free.push(slot);
    this.#results = new Channel({ bufferSize: RESULT_BUFFER }, options.what);
    for (let i = 0; i < options.processes; i++) this.#startWorker();
  }

  get state(): 'running' | 'closing' | 'terminated' {
    return this.#state;
  }

  /** Live workers' processes. */
  get processes(): Process[] {
    return this.#workers.map((worker) => worker.process);
  }

  /**
   * A number naming a function for the workers (its reference goes once to each). `method`
   * names the call for an error message (`applyAsync()`): it is built only if there is one.
   */
  functionId(fn: unknown, method: string): number {
    const key = isModuleReference(fn) ? `${fn.module}#${fn.name}` : fn;
    let id = this.#functions.get(key);
    if (id === undefined) {
      const what = `${this.#options.what}.${method} function`;
      let reference: ResolvedReference;
      if (isModuleReference(fn)) reference = explicitReference(fn);
      else if (typeof fn === 'function') reference = referenceOf(fn as (...args: never[]) => unknown, what);
      else throw new TypeError(`${what} must be a function or a { module, name } reference, got ${typeof fn}`);
      id = this.#referenceJson.length;
      this.#referenceJson.push(JSON.stringify(reference));
      this.#functions.set(key, id);
    }
    return id;
  }

  /** Whether the pool takes new tasks; throws the error a submission should raise if not. */
  checkRunning(method: string): void {
    if (this.#broken !== null) throw this.#broken;
    if (this.#state !== 'running') {
      throw new ValueError(`${this.#options.what}.${method}: the pool is not running (it was closed or terminated)`, 'ERR_POOL_NOT_RUNNING');
    }
  }

  submit(task: Task, options: TaskOptions = {}): void {
    const { signal, timeout } = options;
    if (this.#broken !== null || this.#state === 'terminated') {
      // A map still reading its iterable when the pool broke or was terminated.
      this.#settle(task, false, this.#broken ?? new CancelledError(`${this.#options.what} was terminated`, 'ERR_POOL_TERMINATED'));
      return;
    }
    if (signal?.aborted) {
      this.#settle(task, false, signal.reason);
      return;
    }
    if (signal !== undefined || timeout !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => this.abort(task, signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeout !== undefined) {
        timer = setTimeout(() => {
          this.abort(task, new TimeoutError(`${this.#options.what} task did not finish within ${timeout} ms`));
        }, timeout);
        timer.unref();
      }
      task.cleanup = () => {
        signal?.removeEventListener('abort', onAbort);
        clearTimeout(timer);
      };
    }
    this.#pending.push(task);
    this.#dispatch();
    // Every worker has its fill: take the results already there now rather than after the
    // caller's loop, so that a long run of submissions keeps few tasks alive (most of the cost
    // of many small tasks is the garbage collector copying the ones still in flight).
    if (this.#head < this.#pending.length && (++this.#submissions & 15) === 0) this.#drainInline();
    this.#receive();
  }

  /** Takes a task back if no worker has started it: settles it with `reason`. */
  cancel(task: Task, reason: unknown): boolean {
    if (task.settled) return false;
    const worker = task.worker;
    if (worker === null) {
      this.#settle(task, false, reason); // still pending here: dispatch skips settled tasks
      return true;
    }
    if (!this.#table.cancel(task.slot, task.generation)) return false;
    this.#detach(task);
    this.#settle(task, false, reason);
    this.#dispatch(); // its room goes to the next task waiting
    return true;
  }

  /** Whether a worker has started the task and it has not finished. */
  isRunning(task: Task): boolean {
    return task.worker !== null && !task.settled && this.#table.started(task.slot, task.generation);
  }

  /** Cancels a task, or, if it is running, stops its worker (replaced) and settles it. */
  abort(task: Task, reason: unknown): void {
    if (task.settled || this.cancel(task, reason)) return;
    const worker = task.worker!;
    this.#detach(task);
    this.#settle(task, false, reason);
    worker.killed = true;
    this.#retire(worker); // its queued tasks go elsewhere once it has exited; it is replaced
    worker.process.terminate();
    this.#dispatch();
  }

  /** No new tasks; workers stop once every task is done. */
  close(): void {
    if (this.#state !== 'running') return;
    this.#state = 'closing';
    this.#stopIdle();
  }

  /** Stops every worker now; tasks not finished are cancelled. */
  async terminate(): Promise<void> {
    if (this.#state !== 'terminated') {
      this.#state = 'terminated';
      this.#failAll(new CancelledError(`${this.#options.what} was terminated before this task finished`, 'ERR_POOL_TERMINATED'));
      for (const worker of this.#workers) worker.process.terminate();
    }
    await this.join();
  }

  /** Waits for every worker to exit (after close() or terminate()). */
  async join(): Promise<void> {
    if (this.#state === 'running') {
      throw new ValueError(`${this.#options.what}.join(): call close() or terminate() first`, 'ERR_POOL_RUNNING');
    }
    // Process#join keeps the event loop alive while it waits (the workers are daemonic).
    while (this.#workers.length > 0) await Promise.all(this.#workers.map((worker) => worker.process.join()));
  }

  // ---- workers --------------------------------------------------------------------------

  #startWorker(): void {
    const id = ++this.#workerCounter;
    const tasks = new Channel({ bufferSize: TASK_BUFFER }, this.#options.what);
    const config: WorkerConfig = {
      id,
      tasks,
      results: this.#results,
      table: this.#table,
      initializer: this.#options.initializer,
      initargs: this.#options.initargs,
    };
    const process = new this.#options.ProcessClass({
      target: WORKER_TARGET,
      args: [config],
      name: `${this.#options.namePrefix}-${id}`,
      daemon: true,
      resourceLimits: this.#options.resourceLimits,
    });
    process.start();
    process[kMessages]()?.onMessage((message) => {
      if (isPorted(message)) this.#onPorted(message);
    });
    const worker = new WorkerHandle(id, process, tasks);
    this.#workers.push(worker);
    void process.sentinel.then((code) => this.#onExit(worker, code));
  }

  /** No more tasks for this worker; it exits after those it has. */
  #retire(worker: WorkerHandle): void {
    if (worker.stopped) return;
    worker.stopped = true;
    this.#put(worker, encode(STOP, 'stop'));
    this.#flush(worker);
  }

  /** A worker exited: what it finished before is read first. */
  #onExit(worker: WorkerHandle, code: number): void {
    this.#drain(false);
    this.#exited(worker, code);
  }

  #exited(worker: WorkerHandle, code: number): void {
    const index = this.#workers.indexOf(worker);
    if (index >= 0) this.#workers.splice(index, 1);
    if (this.#state === 'terminated') return;
    const requeued: Task[] = [];
    for (const task of worker.inflight.toArray()) {
      // (Arguments moved to this worker went with it: such a task is lost too.)
      if (!task.ported && this.#table.cancel(task.slot, task.generation)) {
        requeued.push(task); // never started: another worker runs it
        this.#detach(task);
      }
    }
    for (const task of worker.inflight.toArray()) {
      this.#detach(task);
      this.#settle(task, false, this.#lostError(worker, code));
    }
    if (requeued.length > 0) this.#pending.splice(this.#head, 0, ...requeued);
    // A worker that fails by itself before finishing anything, again and again (its module
    // cannot load, say), would be replaced forever; one killed from outside is no such sign.
    if (!worker.killed && !worker.stopped && worker.completed === 0 && code > 0) this.#earlyDeaths++;
    if (this.#earlyDeaths >= Math.max(6, 3 * this.#options.processes)) {
      const details = { workerName: worker.name, pid: worker.process.pid, exitcode: code };
      this.#break(
        this.#options.brokenError(
          `${this.#options.what}: workers keep dying before they finish a task (the last one ${describeExit(code)}); ` +
            'see their error output',
          details,
          worker.fatal === undefined ? undefined : errorFrom(worker.fatal),
        ),
      );
      return;
    }
    const replace = !worker.stopped || worker.killed; // a stopped task's worker, not a retired one
    if (this.#broken === null && replace && (this.#state === 'running' || this.#pendingCount() > 0)) this.#startWorker();
    else if (this.#state === 'closing' && this.#pendingCount() > 0 && this.#live() === 0) this.#startWorker();
    this.#dispatch();
    this.#stopIdle();
    this.#receive();
  }

  #lostError(worker: WorkerHandle, code: number): Error {
    const pid = worker.process.pid;
    const details: WorkerDetails = { workerName: worker.name, pid, exitcode: code };
    const cause = worker.fatal === undefined ? undefined : errorFrom(worker.fatal);
    const why = cause instanceof Error ? ` after an uncaught ${cause.name}: ${cause.message}` : ` (${describeExit(code)})`;
    return this.#options.lostError(
      `${this.#options.what} worker ${worker.name} (pid ${pid}) died while running this task${why}; ` +
        'the worker was replaced and the other tasks go on',
      details,
      cause,
    );
  }

  #live(): number {
    let live = 0;
    for (const worker of this.#workers) if (!worker.stopped) live++;
    return live;
  }

  /** The pool cannot go on: every task fails with `error`, and so does every later submission. */
  #break(error: Error): void {
    if (this.#broken !== null) return;
    this.#broken = error;
    this.#failAll(error);
    for (const worker of this.#workers) {
      worker.killed = true;
      worker.process.terminate();
    }
  }

  #failAll(error: unknown): void {
    for (let i = this.#head; i < this.#pending.length; i++) this.#settle(this.#pending[i], false, error);
    this.#pending = [];
    this.#head = 0;
    for (const worker of this.#workers) {
      for (const task of worker.inflight.toArray()) {
        this.#table.cancel(task.slot, task.generation);
        this.#detach(task);
        this.#settle(task, false, error);
      }
    }
    this.#kick();
  }

  // ---- dispatch -------------------------------------------------------------------------

  /** Tasks waiting here and not settled (a cancelled one stays in the array until dispatch passes it). */
  #pendingCount(): number {
    let count = 0;
    for (let i = this.#head; i < this.#pending.length; i++) if (!this.#pending[i].settled) count++;
    return count;
  }

  #dispatch(): void {
    const pending = this.#pending;
    for (;;) {
      while (this.#head < pending.length && pending[this.#head].settled) this.#head++;
      if (this.#head === pending.length) break;
      const worker = this.#pick();
      if (worker === null) break;
      // Filled up in one go: a worker that ran dry and sleeps is woken once per batch.
      while (worker.inflight.size < worker.depth && !worker.stopped && this.#head < pending.length) {
        const task = pending[this.#head++];
        if (!task.settled) this.#send(worker, task);
      }
      this.#flush(worker);
    }
    if (this.#head === pending.length) {
      pending.length = 0;
      this.#head = 0;
      this.#rebalance();
    } else if (this.#head > 4096 && this.#head * 2 > pending.length) {
      this.#pending = pending.slice(this.#head);
      this.#head = 0;
    }
    this.#stopIdle();
  }

  /**
   * Nothing waits here any more, but a worker is (nearly) idle while another has tasks queued:
   * the newest queued tasks that have not started move over. This keeps the depth estimate
   * honest when task times change (a long task after many short ones).
   */
  #rebalance(): void {
    for (const idle of this.#workers) {
      if (idle.stopped || idle.inflight.size >= MIN_DEPTH) continue;
      let busiest: WorkerHandle | null = null;
      for (const worker of this.#workers) {
        if (worker.inflight.size > (busiest?.inflight.size ?? idle.inflight.size + 1)) busiest = worker;
      }
      if (busiest === null) return;
      const queued = busiest.inflight.toArray();
      const moving: Task[] = [];
      for (let i = queued.length - 1, want = (queued.length - idle.inflight.size) >> 1; i > 0 && moving.length < want; i--) {
        const task = queued[i];
        if (task.ported || !this.#table.cancel(task.slot, task.generation)) break; // started (so have the ones before it), or pinned
        this.#detach(task);
        moving.push(task);
      }
      for (let i = moving.length - 1; i >= 0; i--) this.#send(idle, moving[i]);
      this.#flush(idle);
    }
  }

  /**
   * The least loaded worker with room for a batch (a quarter of its depth, so that many small
   * tasks go in batches), or null if none has.
   */
  #pick(): WorkerHandle | null {
    let best: WorkerHandle | null = null;
    for (const worker of this.#workers) {
      if (worker.stopped || worker.depth - worker.inflight.size < Math.max(1, worker.depth >> 2)) continue;
      if (best === null || worker.inflight.size < best.inflight.size) best = worker;
    }
    return best;
  }

  #send(worker: WorkerHandle, task: Task): void {
    const slot = this.#free.pop()!;
    const generation = ++this.#generations[slot];
    const id = task.functionId;
    // Buffers to move go with the arguments by a thread worker's port; to a process they are copied.
    const port = task.transfer === null ? null : worker.process[kMessages]();
    let message: Outgoing;
    try {
      const mode = port === null ? task.mode : task.mode | PORTED;
      message = encodeTask(slot, generation, id, mode, task.args, task, `the arguments of a ${this.#options.what} task`);
      if (port !== null) {
        port.post(portedMessage(slot, generation, task.args as unknown[]), task.transfer!);
        task.ported = true;
      }
    } catch (error) {
      this.#free.push(slot);
      this.#settle(task, false, error);
      return;
    }
    if (worker.known[id] !== true) this.#put(worker, encodeDefinition(id, this.#referenceJson[id]));
    worker.known[id] = true;
    task.slot = slot;
    task.generation = generation;
    task.worker = worker;
    this.#slots[slot] = task;
    this.#table.queue(slot, generation);
    worker.inflight.add(task);
    this.#inflight++;
    this.#put(worker, message);
    const max = this.#options.maxTasksPerWorker;
    if (max !== null && ++worker.sent >= max) {
      this.#retire(worker);
      if (this.#state !== 'terminated' && this.#broken === null) this.#startWorker();
    }
  }

  /** A message for the worker's channel, put by the next #flush. */
  #put(worker: WorkerHandle, message: Outgoing): void {
    worker.outbox[worker.outCount++] = message;
  }

  /**
   * Puts what the outbox holds: one lock and at most one wake-up for a whole fill. Only the
   * pool writes to a worker's channel, and never waits for room: this is immediate.
   */
  #flush(worker: WorkerHandle): void {
    const count = worker.outCount;
    if (count === 0) return;
    worker.outCount = 0;
    worker.tasks.putAll(worker.outbox as Outgoing[], count);
    worker.outbox.fill(undefined, 0, count); // no message (nor its bytes) kept alive here
  }

  /** Closing: workers with nothing left to do are told to stop. */
  #stopIdle(): void {
    if (this.#state !== 'closing' || this.#pendingCount() > 0) return;
    for (const worker of this.#workers) this.#retire(worker);
  }

  /** A task leaves its worker and its slot (its slot's generation moves on when reused). */
  #detach(task: Task): void {
    const worker = task.worker;
    if (worker === null) return;
    worker.inflight.delete(task);
    this.#slots[task.slot] = undefined;
    if (this.#portedRecords.size > 0) this.#portedRecords.delete(task.slot);
    this.#free.push(task.slot);
    task.worker = null;
    // The receive loop waits only while tasks are in flight (it keeps the program alive).
    if (--this.#inflight === 0) this.#kick();
  }

  #settle(task: Task, ok: boolean, value: unknown): void {
    if (task.settled) return;
    task.settled = true;
    task.cleanup?.();
    if (!this.#inline || task.quiet()) {
      task.onOutcome(ok, value);
      return;
    }
    if (this.#deferred.length === 0) queueMicrotask(() => this.#deliverDeferred());
    this.#deferred.push(task, ok, value);
  }

  #deliverDeferred(): void {
    const deferred = this.#deferred;
    this.#deferred = [];
    for (let i = 0; i < deferred.length; i += 3) {
      const task = deferred[i] as Task;
      callSafely(() => task.onOutcome(deferred[i + 1] as boolean, deferred[i + 2]), undefined); // one failing never loses the rest
    }
  }

  // ---- results --------------------------------------------------------------------------

  /** Runs while tasks are in flight: takes results as they come, without blocking the event loop. */
  #receive(): void {
    if (this.#receiving || this.#inflight === 0) return;
    this.#receiving = true;
    void this.#receiveLoop();
  }

  async #receiveLoop(): Promise<void> {
    const results = this.#results;
    try {
      // Started by a submission: its first look at the results must not run callbacks inside
      // the caller's call either (inside one, #drainInline defers them), so it waits a tick.
      await null;
      while (this.#inflight > 0) {
        const seen = results.putCount;
        this.#drain(true);
        if (this.#inflight === 0) break;
        if (this.#wakeup.signal.aborted) this.#wakeup = new AbortController();
        const signal = this.#wakeup.signal;
        try {
          // Waits for a result without the readers' lock, so submissions and exits can take results too.
          await runAsync(results.putAfterSteps(seen, Infinity), signal);
        } catch (error) {
          if (!signal.aborted) throw error;
        }
      }
    } finally {
      this.#receiving = false;
    }
  }

  /** Wakes the receive loop to look again (nothing in flight any more, the pool was terminated). */
  #kick(): void {
    this.#wakeup.abort(KICK);
  }

  /** Takes every result there, under one hold of the readers' lock. */
  #drain(dispatch: boolean): void {
    const results = this.#results;
    if (results.tryReceive()) {
      let count = 0;
      try {
        do {
          this.#take(results.takeValueHeld());
          if (dispatch && (++count & 63) === 0) this.#dispatch();
        } while (results.next());
      } finally {
        results.unlockReaders();
      }
    }
    if (dispatch) this.#dispatch();
  }

  /** Takes the results already there, inside a submission: outcomes that run user code wait. */
  #drainInline(): void {
    this.#inline = true;
    try {
      this.#drain(true);
    } finally {
      this.#inline = false;
    }
  }

  /** Handles a result record taken (its rebuild may come later: library objects to import first). */
  #take(value: unknown): void {
    if (isThenable(value)) void Promise.resolve(value).then((record) => this.#onResult(record as ResultRecord));
    else this.#onResult(value as ResultRecord);
  }

  #onResult(record: ResultRecord): void {
    const slot = record[0];
    if (slot < 0) {
      this.#onWorkerMessage(record[1], record[2], record[4]);
      return;
    }
    const task = this.#slots[slot];
    if (task === undefined || task.generation !== record[1]) return; // aborted meanwhile
    let value: unknown;
    if ((record[2] & PORTED) !== 0) {
      const moved = this.#portedValues.get(slot);
      if (moved === undefined || moved.generation !== record[1]) {
        this.#portedRecords.set(slot, record); // the value is still on its way (#onPorted)
        return;
      }
      this.#portedValues.delete(slot);
      value = portedValues(moved)[0];
    } else value = resultOf(record, task.mode !== CALL);
    const worker = task.worker!;
    worker.completed++;
    this.#earlyDeaths = 0;
    const ms = record[3] / 1000;
    worker.avgMs = worker.avgMs < 0 ? ms : worker.avgMs * 0.8 + ms * 0.2;
    worker.depth = Math.min(MAX_DEPTH, Math.max(MIN_DEPTH, Math.ceil(AHEAD_MS / Math.max(worker.avgMs, 1e-3))));
    this.#detach(task);
    const ok = succeeded(record);
    this.#settle(task, ok, ok ? value : errorFrom(value));
  }

  /** A result moved by a thread worker's port: its record may have come already. */
  #onPorted(message: PortedMessage): void {
    const task = this.#slots[message.slot];
    if (task === undefined || task.generation !== message.generation) return; // aborted meanwhile
    const record = this.#portedRecords.get(message.slot);
    this.#portedValues.set(message.slot, message);
    if (record !== undefined && record[1] === message.generation) {
      this.#portedRecords.delete(message.slot);
      this.#onResult(record);
    }
  }

  #onWorkerMessage(id: number, status: number, value: unknown): void {
    const worker = this.#workers.find((w) => w.id === id);
    if (status === FATAL) {
      if (worker !== undefined) worker.fatal = value;
    } else if (status === INIT_FAILED) {
      const details = { workerName: worker?.name ?? `${this.#options.namePrefix}-${id}`, pid: worker?.process.pid ?? null, exitcode: null };
      const cause = errorFrom(value);
      const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      this.#break(this.#options.brokenError(`${this.#options.what}: a worker's initializer failed (${reason}); the pool cannot run tasks`, details, cause));
    }
  }
}
