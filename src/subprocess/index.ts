/**
 * `multiprocessing-ts/subprocess`: Python's `subprocess` for Node.js.
 *
 * Public surface only; every module behind it is internal.
 */
export { PIPE, STDOUT, DEVNULL } from './constants.js';
export { run, type RunResult } from './run.js';
export { runSync } from './run-sync.js';
export { Popen } from './popen.js';
export { CompletedProcess } from './completed.js';
export { call, checkCall, checkOutput, getoutput, getstatusoutput } from './helpers.js';
export {
  SubprocessError,
  TimeoutExpired,
  CalledProcessError,
  AbortError,
  OSError,
  FileNotFoundError,
  PermissionError,
  UnicodeDecodeError,
} from './errors.js';
export type {
  Args,
  Input,
  StdinOption,
  StdoutOption,
  StderrOption,
  DecodeErrors,
  SignalLike,
  CommonOptions,
  PopenOptions,
  RunOptions,
  CallOptions,
  CheckOutputOptions,
  GetOutputOptions,
  WaitOptions,
  LinesOptions,
  Output,
  Decoded,
  StdoutOf,
  StderrOf,
  PopenStdin,
  PopenStdout,
  PopenStderr,
} from './types.js';
