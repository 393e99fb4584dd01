/**
 * Public option and result types. The conditional types make `stdout` / `stderr` a `string`
 * in text mode, a `Buffer` otherwise, and `null` when the stream is not captured, following
 * the literal options object passed at the call site.
 */
import type { Readable, Writable } from 'node:stream';
import type { DEVNULL, PIPE, STDOUT } from './constants.js';

/** The command: a list `[program, ...args]`, or a string (a program name, or with `shell`, a command line). */
export type Args = string | readonly string[];

/** Data sent to the child's stdin: bytes, or a string (encoded with `encoding`, default utf-8). */
export type Input = string | Uint8Array;

/** Where the child's stdin comes from. `null` / `undefined` / `'inherit'`: the parent's stdin. */
export type StdinOption = PIPE | DEVNULL | 'inherit' | number | Readable | null | undefined;
/** Where the child's stdout goes. `null` / `undefined` / `'inherit'`: the parent's stdout. */
export type StdoutOption = PIPE | DEVNULL | 'inherit' | number | Writable | null | undefined;
/** Where the child's stderr goes; `STDOUT` merges it into stdout. */
export type StderrOption = StdoutOption | STDOUT;

/** What to do with bytes that are not valid in `encoding` (Python's `errors`). */
export type DecodeErrors = 'strict' | 'replace' | 'ignore';

/** A signal name (`'SIGTERM'`) or number (`15`). */
export type SignalLike = NodeJS.Signals | number;

/** Options shared by `Popen`, `run`, `runSync` and the helpers. */
export interface CommonOptions {
  /** The child's stdin (default: inherited). */
  stdin?: StdinOption;
  /** The child's stdout (default: inherited). */
  stdout?: StdoutOption;
  /** The child's stderr (default: inherited). */
  stderr?: StderrOption;
  /** Run through a shell: `true` for `/bin/sh`, or the path of a shell. Default `false`. */
  shell?: boolean | string;
  /** The program to execute instead of `args[0]` (which then only becomes `argv[0]`). */
  executable?: string;
  /** Working directory of the child. */
  cwd?: string | URL;
  /** The child's whole environment (replaces, does not extend, `process.env`, as in Python). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Text mode: decode output to strings (and translate `\r\n` / `\r` to `\n`). */
  text?: boolean;
  /** Python's older name for `text`. */
  universalNewlines?: boolean;
  /** Text encoding (any WHATWG label: `'utf-8'`, `'utf-16le'`, `'gbk'`…); implies text mode. */
  encoding?: string;
  /** How undecodable bytes are handled (default `'strict'`, as in Python); implies text mode. */
  errors?: DecodeErrors;
  /** Kill the process tree when this signal aborts. */
  signal?: AbortSignal;
  /** The signal used by timeouts and `signal` (default `'SIGKILL'`). */
  killSignal?: SignalLike;
  /**
   * Start the child as the leader of its own process group (default `true`), so a timeout,
   * an abort, `kill()`, `terminate()` and `sendSignal()` reach the child and everything it
   * started. The child is still waited for, and groups still running when this process
   * exits are killed. `false`: an ordinary child, signals reach only it.
   */
  killTree?: boolean;
}

/** Options of `new Popen(args, options)`. */
export interface PopenOptions extends CommonOptions {}

/** Options of `run()` / `runSync()`. */
export interface RunOptions extends CommonOptions {
  /** Sent to the child's stdin, which is then closed (implies `stdin: PIPE`). */
  input?: Input | null;
  /** Capture stdout and stderr (`stdout: PIPE, stderr: PIPE`). */
  captureOutput?: boolean;
  /** Milliseconds before the process tree is killed and `TimeoutExpired` is thrown. */
  timeout?: number | null;
  /** Throw `CalledProcessError` on a non-zero exit status. */
  check?: boolean;
}

/** Options of `call()` / `checkCall()`. */
export type CallOptions = Omit<RunOptions, 'input' | 'captureOutput' | 'check'>;
/** Options of `checkOutput()`. */
export type CheckOutputOptions = Omit<RunOptions, 'captureOutput' | 'check' | 'stdout'>;
/** Options of `getoutput()` / `getstatusoutput()`. */
export type GetOutputOptions = Pick<
  RunOptions,
  'cwd' | 'env' | 'encoding' | 'errors' | 'timeout' | 'signal' | 'killSignal' | 'killTree'
>;

/** What an output field can hold. */
export type Output = string | Buffer | null;

/** The type of field `K` of options `O` (`undefined` when `O` has no such field). */
type Field<O, K extends PropertyKey> = K extends keyof O ? O[K] : undefined;
/** The field is certainly `V`. */
type Surely<O, K extends PropertyKey, V> = [Field<O, K>] extends [V] ? true : false;
/** The field may be `V`. */
type Maybe<O, K extends PropertyKey, V> = V extends Field<O, K> ? true : false;
type Unset = null | undefined;

/** `true` when options `O` select text mode, `false` when they do not, `boolean` when unknown. */
export type IsText<O> = true extends
  | Surely<O, 'text', true>
  | Surely<O, 'universalNewlines', true>
  | Surely<O, 'encoding', string>
  | Surely<O, 'errors', string>
  ? true
  : [
        Maybe<O, 'text', true>,
        Maybe<O, 'universalNewlines', true>,
        Surely<O, 'encoding', Unset>,
        Surely<O, 'errors', Unset>,
      ] extends [false, false, true, true]
    ? false
    : boolean;

/** The decoded type of captured output under options `O`. */
export type Decoded<O> = [IsText<O>] extends [true]
  ? string
  : [IsText<O>] extends [false]
    ? Buffer
    : string | Buffer;

/** Whether stream `K` of options `O` is a pipe (`captureOutput` counts for stdout and stderr). */
type Piped<O, K extends 'stdin' | 'stdout' | 'stderr'> = true extends
  | Surely<O, K, PIPE>
  | (K extends 'stdin' ? false : Surely<O, 'captureOutput', true>)
  ? true
  : true extends Maybe<O, K, PIPE> | (K extends 'stdin' ? false : Maybe<O, 'captureOutput', true>)
    ? boolean
    : false;
type OrNull<P, T> = [P] extends [true] ? T : [P] extends [false] ? null : T | null;

/** The type of `stdout` captured under options `O`. */
export type StdoutOf<O> = OrNull<Piped<O, 'stdout'>, Decoded<O>>;
/** The type of `stderr` captured under options `O`. */
export type StderrOf<O> = OrNull<Piped<O, 'stderr'>, Decoded<O>>;
/** `Popen.stdin` under options `O`. */
export type PopenStdin<O> = OrNull<Piped<O, 'stdin'>, Writable>;
/** `Popen.stdout` under options `O`. */
export type PopenStdout<O> = OrNull<Piped<O, 'stdout'>, Readable>;
/** `Popen.stderr` under options `O`. */
export type PopenStderr<O> = OrNull<Piped<O, 'stderr'>, Readable>;

/** Options of `Popen.wait()` and `Popen.communicate()`. */
export interface WaitOptions {
  /** Milliseconds to wait; on expiry `TimeoutExpired` is thrown and the child keeps running. */
  timeout?: number | null;
}

/** Options of `Popen.lines()`. */
export interface LinesOptions {
  /** Which output to read (default `'stdout'`); it must be `PIPE`. */
  from?: 'stdout' | 'stderr';
}
