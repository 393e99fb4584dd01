/**
 * Python's older conveniences, all built on `run()`: `call`, `checkCall`, `checkOutput`,
 * `getoutput`, `getstatusoutput`.
 */
import { PIPE, STDOUT } from './constants.js';
import { describe } from './command.js';
import { run } from './run.js';
import type { Args, CallOptions, CheckOutputOptions, Decoded, GetOutputOptions } from './types.js';

/** Runs `args` and resolves to its exit status (Python's `call`). */
export async function call(args: Args, options?: CallOptions): Promise<number> {
  return (await run(args, options)).returncode;
}

/** Runs `args`; resolves to 0, or rejects with `CalledProcessError` (Python's `check_call`). */
export async function checkCall(args: Args, options?: CallOptions): Promise<0> {
  await run(args, { ...options, check: true });
  return 0;
}

/**
 * Runs `args` and resolves to its stdout (a string in text mode, else a Buffer); rejects with
 * `CalledProcessError` on a non-zero status (Python's `check_output`).
 */
export async function checkOutput<const O extends CheckOutputOptions = {}>(
  args: Args,
  options?: O,
): Promise<Decoded<O>> {
  if (options != null && 'stdout' in options) {
    throw new TypeError('checkOutput() captures stdout itself; the stdout option is not allowed.');
  }
  const result = await run(args, { ...options, stdout: PIPE, check: true });
  return result.stdout as Decoded<O>;
}

/**
 * Runs the command line `cmd` in a shell with stderr merged into stdout and resolves to
 * `[exitStatus, output]`, output decoded and one trailing newline removed (Python's
 * `getstatusoutput`).
 */
export async function getstatusoutput(cmd: string, options?: GetOutputOptions): Promise<[number, string]> {
  if (typeof cmd !== 'string') {
    throw new TypeError(`cmd must be a command line string, got ${describe(cmd)}.`);
  }
  const result = await run(cmd, { ...options, shell: true, text: true, stdout: PIPE, stderr: STDOUT });
  const output = result.stdout;
  return [result.returncode, output.endsWith('\n') ? output.slice(0, -1) : output];
}

/** Like `getstatusoutput()`, resolving to the output only (Python's `getoutput`). */
export async function getoutput(cmd: string, options?: GetOutputOptions): Promise<string> {
  return (await getstatusoutput(cmd, options))[1];
}
