/**
 * `run()`: Python's `subprocess.run`. Start, communicate, and on a timeout or an abort kill
 * the whole process tree and report what it wrote.
 */
import { CompletedProcess } from './completed.js';
import { AbortError, TimeoutExpired } from './errors.js';
import { prepare } from './options.js';
import { kPrepared, Popen, popenInternals } from './popen.js';
import type { Args, RunOptions, StderrOf, StdoutOf } from './types.js';

/** What `run()` resolves to for options `O`. */
export type RunResult<O> = CompletedProcess<StdoutOf<O>, StderrOf<O>>;

/**
 * Runs `args`, waits for it and returns a `CompletedProcess`. Output is captured with
 * `captureOutput` (or `stdout` / `stderr: PIPE`) and is a string in text mode (`text`,
 * `encoding`, `errors`), a Buffer otherwise. Rejects with `TimeoutExpired` after `timeout`
 * ms, `CalledProcessError` with `check` and a non-zero status, `AbortError` when `signal`
 * aborts, `FileNotFoundError` when the program does not exist.
 */
export async function run<const O extends RunOptions = {}>(args: Args, options?: O): Promise<RunResult<O>> {
  const prepared = prepare(args, options, 'run');
  const { signal, timeout } = prepared;
  if (signal?.aborted) throw new AbortError(prepared.args, signal.reason);
  // run() watches the signal itself, so it can report an AbortError.
  prepared.signal = null;
  const proc = new Popen(prepared.args, { [kPrepared]: prepared } as RunOptions);
  const internals = popenInternals(proc);
  const comm = internals.communication(prepared.input);

  let stopped: 'timeout' | 'abort' | null = null;
  const stop = (why: 'timeout' | 'abort'): void => {
    if (stopped !== null) return;
    stopped = why;
    internals.stop();
  };
  const timer = timeout === null ? null : setTimeout(stop, timeout, 'timeout');
  const onAbort = (): void => stop('abort');
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all([comm.done, proc.wait(), internals.piped]);
  } finally {
    if (timer !== null) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }

  const returncode = proc.returncode as number;
  if (stopped !== null) {
    const out = internals.decode(comm.stdout?.bytes() ?? null, 'stdout', true);
    const err = internals.decode(comm.stderr?.bytes() ?? null, 'stderr', true);
    if (stopped === 'timeout') throw new TimeoutExpired(prepared.args, timeout as number, out, err, true);
    throw new AbortError(prepared.args, signal?.reason, out, err);
  }
  const result = new CompletedProcess(
    prepared.args,
    returncode,
    internals.decode(comm.stdout?.bytes() ?? null, 'stdout'),
    internals.decode(comm.stderr?.bytes() ?? null, 'stderr'),
    prepared.shell,
  ) as RunResult<O>;
  if (prepared.check) result.checkReturncode();
  return result;
}
