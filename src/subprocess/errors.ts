/**
 * The errors of `multiprocessing-ts/subprocess`, with Python's names. Each message says what
 * happened to which command and what to do about it.
 */
import { formatCommand, signalName } from './command.js';
import type { Args, Output } from './types.js';

/** Base class of the errors a finished or timed-out command raises (Python's `SubprocessError`). */
export class SubprocessError extends Error {
  override name = 'SubprocessError';
}

const TAIL = 1000;

function tail(output: Output): string {
  if (output === null || output.length === 0) return '';
  const text = typeof output === 'string' ? output : output.toString('utf8');
  const trimmed = text.trimEnd();
  if (!trimmed) return '';
  return trimmed.length > TAIL ? `…${trimmed.slice(-TAIL)}` : trimmed;
}

/** A failed command with the output it produced: TimeoutExpired and CalledProcessError. */
abstract class CommandOutputError extends SubprocessError {
  /** The command as it was given. */
  readonly cmd: Args;
  /** The captured output (also `stdout`); `null` when not captured. */
  output: Output;
  /** The captured error output; `null` when not captured. */
  stderr: Output;

  constructor(message: string, cmd: Args, output: Output, stderr: Output) {
    super(message);
    this.cmd = cmd;
    this.output = output;
    this.stderr = stderr;
  }

  /** Alias of `output`, as in Python. */
  get stdout(): Output {
    return this.output;
  }
  set stdout(value: Output) {
    this.output = value;
  }
}

/** Raised when a command runs longer than its `timeout` (Python's `TimeoutExpired`). */
export class TimeoutExpired extends CommandOutputError {
  override name = 'TimeoutExpired';
  /** The timeout in milliseconds. */
  readonly timeout: number;
  /** Whether the process tree was killed (`run()`), or is still running (`Popen.wait()`). */
  readonly killed: boolean;

  constructor(cmd: Args, timeout: number, output: Output = null, stderr: Output = null, killed = false) {
    const command = formatCommand(cmd);
    super(
      killed
        ? `Command \`${command}\` timed out after ${timeout} ms and was killed with its process tree. ` +
            'Raise the timeout or make the command finish sooner; what it wrote is in error.stdout / error.stderr.'
        : `Command \`${command}\` did not finish within ${timeout} ms and is still running. ` +
            'Wait again (a later communicate() returns all the output), or end it with kill().',
      cmd,
      output,
      stderr,
    );
    this.timeout = timeout;
    this.killed = killed;
  }
}

/** Raised for a non-zero exit status when `check` is set (Python's `CalledProcessError`). */
export class CalledProcessError extends CommandOutputError {
  override name = 'CalledProcessError';
  /** The exit status; `-N` when the process was killed by signal N. */
  readonly returncode: number;

  constructor(returncode: number, cmd: Args, output: Output = null, stderr: Output = null, shell = false) {
    const command = formatCommand(cmd);
    let message =
      returncode < 0
        ? `Command \`${command}\` died with ${signalName(-returncode)}.`
        : `Command \`${command}\` returned non-zero exit status ${returncode}.`;
    if (returncode === 127 && shell) message += ' (127 from a shell: the command was not found.)';
    const err = tail(stderr);
    if (err) message += `\nstderr: ${err}`;
    message += '\nPass { check: false } to get the status as a result instead of an error.';
    super(message, cmd, output, stderr);
    this.returncode = returncode;
  }
}

/** Raised when `signal` aborts a `run()`; the process tree has been killed. */
export class AbortError extends SubprocessError {
  override name = 'AbortError';
  readonly code = 'ABORT_ERR';
  /** The command as it was given. */
  readonly cmd: Args;
  /** Output written before the abort; `null` when not captured. */
  readonly stdout: Output;
  /** Error output written before the abort; `null` when not captured. */
  readonly stderr: Output;

  constructor(cmd: Args, reason: unknown, stdout: Output = null, stderr: Output = null) {
    super(
      `Command \`${formatCommand(cmd)}\` was aborted by its AbortSignal and killed with its process tree.`,
      { cause: reason },
    );
    this.cmd = cmd;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

/** A failure to start a program (Python's `OSError`); `code` is the errno name. */
export class OSError extends Error {
  override name = 'OSError';
  /** The errno name, e.g. `'ENOENT'`. */
  readonly code: string;
  /** The file the error is about (the program, or the working directory). */
  readonly filename: string;

  constructor(code: string, filename: string, message: string) {
    super(message);
    this.code = code;
    this.filename = filename;
  }
}

/** The program (or the working directory) does not exist (Python's `FileNotFoundError`). */
export class FileNotFoundError extends OSError {
  override name = 'FileNotFoundError';
}

/** The program exists but cannot be executed (Python's `PermissionError`). */
export class PermissionError extends OSError {
  override name = 'PermissionError';
}

/** Captured output is not valid in the requested encoding and `errors` is `'strict'`. */
export class UnicodeDecodeError extends Error {
  override name = 'UnicodeDecodeError';
  /** The encoding that failed. */
  readonly encoding: string;
  /** The raw bytes. */
  readonly data: Buffer;

  constructor(encoding: string, data: Buffer, what: string, cmd: Args) {
    super(
      `The ${what} of \`${formatCommand(cmd)}\` is not valid ${encoding}. Pass the right ` +
        "{ encoding }, { errors: 'replace' } to substitute U+FFFD, or omit text mode to get bytes.",
    );
    this.encoding = encoding;
    this.data = data;
  }
}
