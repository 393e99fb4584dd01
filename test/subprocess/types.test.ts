// The public types: output is string in text mode, Buffer otherwise, null when not captured.
// Checked by `tsc --noEmit` (npm test's typecheck); the runtime test only keeps the runner happy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Readable, Writable } from 'node:stream';
import {
  CompletedProcess,
  PIPE,
  Popen,
  STDOUT,
  checkOutput,
  run,
  runSync,
  type RunOptions,
} from 'multiprocessing-ts/subprocess';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

async function typeChecks(): Promise<void> {
  const captured = await run(['x'], { captureOutput: true });
  expectType<Equal<typeof captured, CompletedProcess<Buffer, Buffer>>>();
  const text = await run(['x'], { captureOutput: true, text: true });
  expectType<Equal<typeof text.stdout, string>>();
  expectType<Equal<typeof text.stderr, string>>();
  const encoded = await run(['x'], { stdout: PIPE, encoding: 'gbk' });
  expectType<Equal<typeof encoded.stdout, string>>();
  expectType<Equal<typeof encoded.stderr, null>>();
  const plain = await run(['x']);
  expectType<Equal<typeof plain.stdout, null>>();
  const merged = await run(['x'], { stdout: PIPE, stderr: STDOUT });
  expectType<Equal<typeof merged.stdout, Buffer>>();
  expectType<Equal<typeof merged.stderr, null>>();
  const options: RunOptions = {};
  const wide = await run(['x'], options);
  expectType<Equal<typeof wide.stdout, string | Buffer | null>>();
  const sync = runSync(['x'], { captureOutput: true, universalNewlines: true });
  expectType<Equal<typeof sync.stdout, string>>();
  expectType<Equal<Awaited<ReturnType<typeof checkOutput<{ text: true }>>>, string>>();
  const bytes = await checkOutput(['x']);
  expectType<Equal<typeof bytes, Buffer>>();

  const proc = new Popen(['x'], { stdin: PIPE, stdout: PIPE, text: true });
  expectType<Equal<typeof proc.stdin, Writable>>();
  expectType<Equal<typeof proc.stdout, Readable>>();
  expectType<Equal<typeof proc.stderr, null>>();
  const [out, err] = await proc.communicate('input');
  expectType<Equal<typeof out, string>>();
  expectType<Equal<typeof err, null>>();
  expectType<Equal<typeof proc.returncode, number | null>>();
  expectType<Equal<Awaited<ReturnType<typeof proc.wait>>, number>>();

  // @ts-expect-error args must be a string or a list of strings
  await run(42);
  // @ts-expect-error STDOUT is for stderr only
  await run(['x'], { stdout: STDOUT });
  // @ts-expect-error Python's spelling is not an option here
  await run(['x'], { capture_output: true });
  // @ts-expect-error runSync cannot be aborted
  runSync(['x'], { signal: AbortSignal.abort() });
}

test('public types (checked at compile time)', () => {
  assert.equal(typeof typeChecks, 'function');
});
