/**
 * `runSync()`: `run()` blocking the thread (`child_process.spawnSync`), for scripts and
 * start-up code. Same options except `signal`; same results and errors.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signalNumber } from './command.js';
import { CompletedProcess } from './completed.js';
import { decodeOutput } from './encoding.js';
import { TimeoutExpired } from './errors.js';
import { signalTree } from './groups.js';
import { prepare, type Prepared } from './options.js';
import { diagnoseSpawnFailure } from './spawn.js';
import type { Args, Output, RunOptions } from './types.js';
import type { RunResult } from './run.js';

function decode(prepared: Prepared, data: Buffer | null, what: 'stdout' | 'stderr', lenient = false): Output {
  if (data === null) return null;
  return prepared.text ? decodeOutput(data, prepared.text, what, prepared.args, lenient) : data;
}

/** Like `run()`, but blocks until the command has finished and returns the `CompletedProcess`. */
export function runSync<const O extends Omit<RunOptions, 'signal'> = {}>(args: Args, options?: O): RunResult<O> {
  const prepared = prepare(args, options, 'runSync');
  const { spawnOptions, mergeStderr, timeout } = prepared;
  const stdio = [...spawnOptions.stdio];
  // stderr merged into a captured stdout: both go to one temporary file, in the exact order
  // the child wrote them (spawnSync has no shared pipe).
  let tmp: { dir: string; fd: number } | null = null;
  if (mergeStderr) {
    const dir = mkdtempSync(join(tmpdir(), 'subprocess-'));
    tmp = { dir, fd: openSync(join(dir, 'out'), 'w+') };
    stdio[1] = tmp.fd;
    stdio[2] = tmp.fd;
  }
  let result;
  try {
    result = spawnSync(prepared.file, prepared.argv, {
      ...spawnOptions,
      stdio,
      input: prepared.input ?? undefined,
      timeout: timeout ?? undefined,
      killSignal: prepared.killSignal,
      maxBuffer: Infinity,
    });
  } finally {
    if (tmp) closeSync(tmp.fd);
  }
  let stdout: Buffer | null = prepared.pipes.stdout ? (result.stdout ?? Buffer.alloc(0)) : null;
  const stderr: Buffer | null = prepared.pipes.stderr ? (result.stderr ?? Buffer.alloc(0)) : null;
  if (tmp) {
    stdout = readFileSync(join(tmp.dir, 'out'));
    rmSync(tmp.dir, { recursive: true, force: true });
  }

  const error = result.error as NodeJS.ErrnoException | undefined;
  if (error) {
    if (error.code === 'ETIMEDOUT') {
      // spawnSync killed the child only: end the rest of its tree.
      if (prepared.killTree && result.pid) signalTree(result.pid, 'SIGKILL', true);
      throw new TimeoutExpired(
        prepared.args,
        timeout as number,
        decode(prepared, stdout, 'stdout', true),
        decode(prepared, stderr, 'stderr', true),
        true,
      );
    }
    if (error.code === 'ENOENT' || error.code === 'EACCES' || !result.pid) {
      throw diagnoseSpawnFailure(prepared, error.code);
    }
    throw error;
  }
  const returncode = result.status ?? -signalNumber(result.signal as NodeJS.Signals);
  const completed = new CompletedProcess(
    prepared.args,
    returncode,
    decode(prepared, stdout, 'stdout'),
    decode(prepared, stderr, 'stderr'),
    prepared.shell,
  ) as RunResult<O>;
  if (prepared.check) completed.checkReturncode();
  return completed;
}
