/**
 * `Popen`: a running child, as Python's `subprocess.Popen`. Spawned in the constructor; a
 * program that cannot be started throws there (`FileNotFoundError`…).
 */
import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { signalNumber } from './command.js';
import { Communication } from './communicate.js';
import { decodeOutput, encodeInput, lineDecoder } from './encoding.js';
import { AbortError, TimeoutExpired } from './errors.js';
import { isTracked, signalTree, track, untrack } from './groups.js';
import { readLines } from './lines.js';
import { prepare, type Prepared } from './options.js';
import { spawnChild } from './spawn.js';
import { wireStreams } from './streams.js';
import { checkTimeout, withTimeout } from './timeout.js';
import type {
  Args,
  Input,
  LinesOptions,
  Output,
  PopenOptions,
  PopenStderr,
  PopenStdin,
  PopenStdout,
  SignalLike,
  StderrOf,
  StdoutOf,
  WaitOptions,
} from './types.js';

/** Key under which `run()` hands an already prepared call to the constructor. */
export const kPrepared = Symbol('subprocess.prepared');

/** How long a killed tree's pipes may stay open (held by a process outside the tree). */
const DRAIN_GRACE_MS = 250;
/** How long after a gentler `killSignal` SIGKILL follows. */
const FORCE_KILL_MS = 2000;

function noop(): void {}

/** What `run()` needs beyond the public surface. */
export interface PopenInternals {
  readonly prepared: Prepared;
  /** Starts (or returns) the communication, sending `input`. */
  communication(input: Uint8Array | null): Communication;
  /** Output streams piped to user streams have ended. */
  readonly piped: Promise<void>;
  /** Kills the tree with `killSignal` (SIGKILL later if that was gentler), then stops waiting for pipes held open by others. */
  stop(): void;
  decode(data: Buffer | null, what: 'stdout' | 'stderr', lenient?: boolean): Output;
}

let internalsOf: (proc: Popen) => PopenInternals;

/** The internals of `proc`, for `run()`. */
export function popenInternals(proc: Popen): PopenInternals {
  return internalsOf(proc);
}

export class Popen<const O extends PopenOptions = PopenOptions> implements AsyncDisposable {
  /** The command as given. */
  readonly args: Args;
  /** The child's process id. */
  readonly pid: number;
  /** A writable stream to the child's stdin when `stdin: PIPE`, otherwise `null`. */
  readonly stdin: PopenStdin<O>;
  /** A readable byte stream of the child's stdout when `stdout: PIPE` (with stderr when `stderr: STDOUT`), otherwise `null`. */
  readonly stdout: PopenStdout<O>;
  /** A readable byte stream of the child's stderr when `stderr: PIPE`, otherwise `null`. */
  readonly stderr: PopenStderr<O>;

  #prepared: Prepared;
  #child: ChildProcess;
  #returncode: number | null = null;
  #exited: Promise<number>;
  #piped: Promise<void>;
  #comm: Communication | null = null;
  #linesStarted = false;
  #stopped = false;

  static {
    internalsOf = (proc) => proc.#internals();
  }

  /**
   * Starts `args` (`['ls', '-l']`; a string is a program name, or a command line with
   * `shell`). Throws `FileNotFoundError` / `PermissionError` when it cannot be started,
   * `TypeError` for bad arguments, `AbortError` when `signal` is already aborted.
   */
  constructor(args: Args, options?: O) {
    const given = (options as { [kPrepared]?: Prepared } | undefined)?.[kPrepared];
    const prepared = given ?? prepare(args, options, 'popen');
    const { signal } = prepared;
    if (signal?.aborted) throw new AbortError(prepared.args, signal.reason);
    const child = spawnChild(prepared);
    this.#prepared = prepared;
    this.#child = child;
    this.args = prepared.args;
    const pid = child.pid as number;
    this.pid = pid;
    if (prepared.killTree) {
      track(pid);
      child.once('close', () => untrack(pid));
    }
    child.on('error', noop);
    let onAbort: (() => void) | null = null;
    if (signal) {
      onAbort = () => this.#stop();
      signal.addEventListener('abort', onAbort, { once: true });
    }
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, sig) => {
        const rc = code ?? -signalNumber(sig as NodeJS.Signals);
        this.#returncode = rc;
        if (onAbort) signal?.removeEventListener('abort', onAbort);
        resolve(rc);
      });
    });

    const streams = wireStreams(child, prepared);
    this.#piped = streams.piped;
    this.stdin = streams.stdin as PopenStdin<O>;
    this.stdout = streams.stdout as PopenStdout<O>;
    this.stderr = streams.stderr as PopenStderr<O>;
  }

  /** The exit status: `null` while running, `-N` when killed by signal N (as in Python). */
  get returncode(): number | null {
    return this.#returncode;
  }

  /**
   * The exit status if the child has ended, else `null`. The end of a child is learnt from
   * the event loop, so a child that ended during synchronous code shows up after an `await`.
   */
  poll(): number | null {
    return this.#returncode;
  }

  /**
   * Waits for the child to end and returns its exit status. With `timeout` (ms), throws
   * `TimeoutExpired` when it expires; the child keeps running. Waiting does not read the
   * pipes: a child that fills a pipe nobody reads blocks, so prefer `communicate()`.
   */
  async wait(options?: WaitOptions): Promise<number> {
    const timeout = checkTimeout(options?.timeout);
    if (this.#returncode !== null) return this.#returncode;
    if (timeout === null) return this.#exited;
    return withTimeout(this.#exited, timeout, () => new TimeoutExpired(this.args, timeout));
  }

  /**
   * Sends `input` (with `stdin: PIPE`), closes stdin, reads stdout and stderr to their end and
   * waits for the child; returns `[stdout, stderr]` (`null` for a stream that is not `PIPE`).
   * With `timeout` (ms), throws `TimeoutExpired` carrying the output so far; the child keeps
   * running and a later `communicate()` (without input) returns all the output.
   */
  async communicate(
    input?: Input | null,
    options?: WaitOptions,
  ): Promise<[stdout: StdoutOf<O>, stderr: StderrOf<O>]> {
    const timeout = checkTimeout(options?.timeout);
    if (input != null && this.#comm !== null) {
      throw new TypeError('Cannot send input after communication has started; call communicate() without input.');
    }
    if (input != null && this.stdin === null) {
      throw new TypeError('communicate() was given input but stdin is not PIPE; create the Popen with { stdin: PIPE }.');
    }
    if (this.#linesStarted) {
      throw new TypeError('communicate() cannot collect output that lines() is already reading.');
    }
    const bytes = input == null ? null : encodeInput(input, this.#prepared.text);
    const comm = this.#communication(bytes);
    const all = Promise.all([comm.done, this.#exited, this.#piped]);
    if (timeout === null) await all;
    else {
      await withTimeout(all, timeout, () => {
        const out = comm.stdout ? this.#decode(comm.stdout.bytes(), 'stdout', true) : null;
        const err = comm.stderr ? this.#decode(comm.stderr.bytes(), 'stderr', true) : null;
        return new TimeoutExpired(this.args, timeout, out, err);
      });
    }
    return [
      this.#decode(comm.stdout?.bytes() ?? null, 'stdout'),
      this.#decode(comm.stderr?.bytes() ?? null, 'stderr'),
    ] as [StdoutOf<O>, StderrOf<O>];
  }

  /**
   * Sends `signal` (default `'SIGTERM'`) to the child and, with `killTree` (the default), to
   * its whole process group. Does nothing once the child and its group are gone.
   */
  sendSignal(signal: SignalLike = 'SIGTERM'): void {
    const num = signalNumber(signal);
    const { killTree } = this.#prepared;
    if (this.#returncode !== null && !(killTree && isTracked(this.pid))) return;
    signalTree(this.pid, num, killTree);
  }

  /** Sends SIGTERM (to the tree with `killTree`). */
  terminate(): void {
    this.sendSignal('SIGTERM');
  }

  /** Sends SIGKILL (to the tree with `killTree`). */
  kill(): void {
    this.sendSignal('SIGKILL');
  }

  /**
   * The lines of stdout (or of `from: 'stderr'`), decoded with `encoding` (utf-8 by default),
   * without line endings. Breaking out of the loop closes the stream.
   */
  lines(options?: LinesOptions): AsyncGenerator<string, void, undefined> {
    const from = options?.from ?? 'stdout';
    if (from !== 'stdout' && from !== 'stderr') {
      throw new TypeError(`lines({ from }) must be 'stdout' or 'stderr', got ${String(from)}.`);
    }
    const source = from === 'stdout' ? this.stdout : this.stderr;
    if (source === null) {
      throw new TypeError(`lines() reads ${from}, which is not PIPE; create the Popen with { ${from}: PIPE }.`);
    }
    if (this.#comm !== null) throw new TypeError('lines() cannot read output that communicate() is collecting.');
    this.#linesStarted = true;
    return readLines(source as Readable, lineDecoder(this.#prepared.text));
  }

  /**
   * `await using proc = new Popen(...)`: Python's `with Popen(...)`. Closes the pipes (stdin
   * after flushing) and waits for the child.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#comm === null && !this.#linesStarted) {
      (this.stdout as Readable | null)?.destroy();
      (this.stderr as Readable | null)?.destroy();
    }
    const stdin = this.stdin as Writable | null;
    if (stdin && !stdin.writableEnded) {
      stdin.on('error', noop);
      stdin.end();
    }
    await this.#exited;
  }

  #communication(input: Uint8Array | null): Communication {
    this.#comm ??= new Communication(
      this.stdin as Writable | null,
      input,
      this.stdout as Readable | null,
      this.stderr as Readable | null,
    );
    return this.#comm;
  }

  #decode(data: Buffer | null, what: 'stdout' | 'stderr', lenient = false): Output {
    if (data === null) return null;
    const mode = this.#prepared.text;
    return mode ? decodeOutput(data, mode, what, this.args, lenient) : data;
  }

  #stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    const { killSignal, killTree } = this.#prepared;
    const pid = this.pid;
    const stillThere = (): boolean => this.#returncode === null || (killTree && isTracked(pid));
    if (stillThere()) signalTree(pid, killSignal, killTree);
    if (killSignal !== 9) {
      const timer = setTimeout(() => {
        if (stillThere()) signalTree(pid, 'SIGKILL', killTree);
      }, FORCE_KILL_MS);
      timer.unref();
      this.#child.once('close', () => clearTimeout(timer));
    }
    // Pipes held open by a process outside the tree must not keep us waiting.
    void this.#exited.then(() => {
      const timer = setTimeout(() => {
        this.#comm?.abandon();
        for (const stream of [this.#child.stdout, this.#child.stderr]) stream?.destroy();
      }, DRAIN_GRACE_MS);
      timer.unref();
      this.#child.once('close', () => clearTimeout(timer));
    });
  }

  #internals(): PopenInternals {
    return {
      prepared: this.#prepared,
      communication: (input) => this.#communication(input),
      piped: this.#piped,
      stop: () => this.#stop(),
      decode: (data, what, lenient) => this.#decode(data, what, lenient),
    };
  }
}
