/**
 * First step of a call: check the arguments and options and turn them into what
 * `child_process.spawn` needs plus what the parent has to do with each stream.
 */
import type { SpawnOptions, StdioNull, StdioPipe } from 'node:child_process';
import { basename } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, signalNumber } from './command.js';
import { DEVNULL, PIPE, STDOUT } from './constants.js';
import { encodeInput, resolveTextMode, type TextMode } from './encoding.js';
import { checkTimeout } from './timeout.js';
import type { Args } from './types.js';

/** Which public entry point the options are for; each accepts a different set of keys. */
export type Kind = 'popen' | 'run' | 'runSync';

type ChildStdio = StdioPipe | StdioNull | number;

/** A checked call, ready to spawn. */
export interface Prepared {
  /** The args as given (arrays copied), for `CompletedProcess.args` and messages. */
  readonly args: Args;
  readonly file: string;
  readonly argv: string[];
  readonly spawnOptions: SpawnOptions & { stdio: [ChildStdio, ChildStdio, ChildStdio] };
  /** A user stream without a file descriptor, piped into the child's stdin. */
  readonly stdinFrom: Readable | null;
  /** User streams without a file descriptor the child's output is piped to. */
  readonly stdoutTo: Writable | null;
  readonly stderrTo: Writable | null;
  /** Which streams the caller sees as `PIPE`. */
  readonly pipes: { readonly stdin: boolean; readonly stdout: boolean; readonly stderr: boolean };
  /** The child's stderr pipe is merged into whatever receives its stdout (`stderr: STDOUT`). */
  readonly mergeStderr: boolean;
  readonly text: TextMode | null;
  readonly shell: boolean;
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>> | undefined;
  readonly killTree: boolean;
  readonly killSignal: number;
  signal: AbortSignal | null;
  readonly input: Uint8Array | null;
  readonly timeout: number | null;
  readonly check: boolean;
}

const COMMON = [
  'stdin', 'stdout', 'stderr', 'shell', 'executable', 'cwd', 'env', 'text', 'universalNewlines',
  'encoding', 'errors', 'signal', 'killSignal', 'killTree',
] as const;
const RUN_ONLY = ['input', 'captureOutput', 'timeout', 'check'] as const;
const KEYS: Record<Kind, ReadonlySet<string>> = {
  popen: new Set(COMMON),
  run: new Set([...COMMON, ...RUN_ONLY]),
  runSync: new Set([...COMMON.filter((k) => k !== 'signal'), ...RUN_ONLY]),
};
const HINTS: Record<string, string> = {
  capture_output: "it is spelled 'captureOutput' here",
  universal_newlines: "it is spelled 'universalNewlines' here (or use 'text')",
  start_new_session: "use 'killTree' (true by default: the child leads its own process group)",
  process_group: "use 'killTree' (true by default: the child leads its own process group)",
  maxBuffer: 'output is collected without a size limit',
};
const POSIX_SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'busybox']);
const SHELL = '/bin/sh';

function unknownOption(key: string, kind: Kind): TypeError {
  let hint = HINTS[key];
  if (!hint && kind === 'popen' && (RUN_ONLY as readonly string[]).includes(key)) {
    hint =
      key === 'input' ? 'pass input to communicate()'
      : key === 'timeout' ? 'pass { timeout } to wait() or communicate()'
      : 'it is an option of run(), not of Popen';
  }
  if (!hint && kind === 'runSync' && key === 'signal') hint = 'runSync() blocks, so it cannot be aborted; use run()';
  const known = [...KEYS[kind]].join(', ');
  return new TypeError(`Unknown option '${key}'${hint ? `: ${hint}` : ''}. Known options: ${known}.`);
}

function checkArgs(args: unknown): Args {
  if (typeof args === 'string') {
    if (args === '') throw new TypeError('args must not be an empty string; pass the program to run.');
    if (args.includes('\0')) throw new TypeError('args must not contain a NUL byte (\\0).');
    return args;
  }
  if (Array.isArray(args)) {
    if (args.length === 0) throw new TypeError('args must not be an empty list; pass [program, ...arguments].');
    args.forEach((arg: unknown, i) => {
      if (typeof arg !== 'string') {
        throw new TypeError(`args[${i}] must be a string, got ${describe(arg)}; convert numbers with String().`);
      }
      if (arg.includes('\0')) throw new TypeError(`args[${i}] must not contain a NUL byte (\\0).`);
    });
    return [...(args as string[])];
  }
  throw new TypeError(
    `args must be a string or an array of strings (e.g. ['ls', '-l']), got ${describe(args)}.`,
  );
}

function isStream(value: unknown, method: 'pipe' | 'write'): value is Readable & Writable {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[method] === 'function';
}

function streamFd(stream: object): number | null {
  const fd = (stream as { fd?: unknown }).fd;
  return typeof fd === 'number' && fd >= 0 ? fd : null;
}

function checkFd(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new TypeError(`${name} must be a file descriptor (an integer ≥ 0), got ${value}.`);
  }
  return value;
}

interface Side {
  child: ChildStdio;
  piped: boolean;
  stream: Readable | Writable | null;
}

function resolveStdio(value: unknown, name: 'stdin' | 'stdout' | 'stderr', sync: boolean): Side {
  if (value == null || value === 'inherit') return { child: 'inherit', piped: false, stream: null };
  if (value === PIPE) return { child: 'pipe', piped: true, stream: null };
  if (value === DEVNULL) return { child: 'ignore', piped: false, stream: null };
  if (typeof value === 'number') return { child: checkFd(value, name), piped: false, stream: null };
  if (value === STDOUT) {
    throw new TypeError(`STDOUT is only valid for stderr; ${name} cannot be STDOUT.`);
  }
  if (isStream(value, name === 'stdin' ? 'pipe' : 'write')) {
    const fd = streamFd(value);
    if (fd !== null) return { child: fd, piped: false, stream: null };
    if (sync) {
      throw new TypeError(
        `runSync() can only use a ${name} stream that has a file descriptor (stream.fd); use run() for other streams.`,
      );
    }
    return { child: 'pipe', piped: false, stream: value };
  }
  throw new TypeError(
    `${name} must be PIPE, DEVNULL, ${name === 'stderr' ? 'STDOUT, ' : ''}'inherit', a file descriptor or a stream, got ${describe(value)}.`,
  );
}

/** Checks `args` and `options` for the given entry point. Throws TypeError / RangeError. */
export function prepare(rawArgs: unknown, rawOptions: unknown, kind: Kind): Prepared {
  const args = checkArgs(rawArgs);
  if (rawOptions != null && (typeof rawOptions !== 'object' || Array.isArray(rawOptions))) {
    throw new TypeError(`options must be an object, got ${describe(rawOptions)}.`);
  }
  const o = (rawOptions ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KEYS[kind].has(key)) throw unknownOption(key, kind);
  }
  const sync = kind === 'runSync';

  // Shell and program.
  const shellOpt = o.shell ?? false;
  if (typeof shellOpt !== 'boolean' && typeof shellOpt !== 'string') {
    throw new TypeError(`shell must be a boolean or the path of a shell, got ${describe(shellOpt)}.`);
  }
  const shellPath = shellOpt === true ? SHELL : shellOpt === false || shellOpt === '' ? null : shellOpt;
  if (o.executable != null && typeof o.executable !== 'string') {
    throw new TypeError(`executable must be a string (a program path or name), got ${describe(o.executable)}.`);
  }
  const list = typeof args === 'string' ? [args] : (args as string[]);
  let argv: string[] = shellPath === null ? list.slice() : [shellPath, '-c', ...list];

  // Streams.
  if (o.captureOutput != null && typeof o.captureOutput !== 'boolean') {
    throw new TypeError(`captureOutput must be a boolean, got ${describe(o.captureOutput)}.`);
  }
  if (o.captureOutput && (o.stdout != null || o.stderr != null)) {
    throw new TypeError('captureOutput cannot be combined with stdout or stderr; it already sets both to PIPE.');
  }
  if (o.input != null && o.stdin != null) {
    throw new TypeError('input and stdin cannot both be given; input already sets stdin to PIPE.');
  }
  for (const key of ['text', 'universalNewlines', 'killTree'] as const) {
    if (o[key] != null && typeof o[key] !== 'boolean') {
      throw new TypeError(`${key} must be a boolean, got ${describe(o[key])}.`);
    }
  }
  const text = resolveTextMode(o.text ?? o.universalNewlines, o.encoding, o.errors);
  const input = o.input == null ? null : encodeInput(o.input as string | Uint8Array, text);
  const stdin = resolveStdio(input !== null ? PIPE : o.stdin, 'stdin', sync);
  const stdout = resolveStdio(o.captureOutput ? PIPE : o.stdout, 'stdout', sync);
  let stderr: Side;
  let mergeStderr = false;
  if (o.stderr === STDOUT) {
    if (stdout.child === 'pipe') {
      stderr = { child: 'pipe', piped: false, stream: null };
      mergeStderr = true;
      // Through a POSIX shell the merge is exact (one pipe); the pipe above still carries
      // anything the shell itself writes before running the command (syntax errors).
      if (shellPath !== null && POSIX_SHELLS.has(basename(shellPath))) argv[2] = `exec 2>&1; ${argv[2]}`;
    } else {
      stderr = { child: stdout.child === 'inherit' ? 1 : stdout.child, piped: false, stream: null };
    }
  } else {
    stderr = resolveStdio(o.captureOutput ? PIPE : o.stderr, 'stderr', sync);
  }

  // Environment.
  let cwd: string | undefined;
  if (o.cwd != null) {
    if (o.cwd instanceof URL) cwd = fileURLToPath(o.cwd);
    else if (typeof o.cwd === 'string') cwd = o.cwd;
    else throw new TypeError(`cwd must be a string or a file: URL, got ${describe(o.cwd)}.`);
  }
  let env: Record<string, string | undefined> | undefined;
  if (o.env != null) {
    if (typeof o.env !== 'object') throw new TypeError(`env must be an object of strings, got ${describe(o.env)}.`);
    for (const [key, value] of Object.entries(o.env)) {
      if (value !== undefined && typeof value !== 'string') {
        throw new TypeError(`env.${key} must be a string, got ${describe(value)}.`);
      }
    }
    env = o.env as Record<string, string | undefined>;
  }

  // Lifetime.
  const killTree = (o.killTree ?? true) as boolean;
  const killSignal = signalNumber((o.killSignal ?? 'SIGKILL') as NodeJS.Signals, 'killSignal');
  const signal = o.signal ?? null;
  if (signal !== null && !(signal instanceof AbortSignal)) {
    throw new TypeError(`signal must be an AbortSignal, got ${describe(signal)}.`);
  }
  if (o.check != null && typeof o.check !== 'boolean') {
    throw new TypeError(`check must be a boolean, got ${describe(o.check)}.`);
  }

  let file = argv[0];
  const spawnOptions: Prepared['spawnOptions'] = {
    stdio: [stdin.child, stdout.child, stderr.child],
    detached: killTree,
  };
  if (o.executable != null) {
    file = o.executable;
    spawnOptions.argv0 = argv[0];
  }
  argv = argv.slice(1);
  if (cwd !== undefined) spawnOptions.cwd = cwd;
  if (env !== undefined) spawnOptions.env = env;

  return {
    args,
    file,
    argv,
    spawnOptions,
    stdinFrom: stdin.stream as Readable | null,
    stdoutTo: stdout.stream as Writable | null,
    stderrTo: stderr.stream as Writable | null,
    pipes: { stdin: stdin.piped, stdout: stdout.piped, stderr: stderr.piped },
    mergeStderr,
    text,
    shell: shellPath !== null,
    cwd,
    env,
    killTree,
    killSignal,
    signal,
    input,
    timeout: checkTimeout(o.timeout),
    check: o.check === true,
  };
}
