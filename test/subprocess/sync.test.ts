// runSync(): run() blocking the thread, same options and errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { CalledProcessError, CompletedProcess, DEVNULL, PIPE, STDOUT, runSync } from 'multiprocessing-ts/subprocess';
import { tempDir } from './_util.js';

describe('runSync', () => {
  test('returns a CompletedProcess with captured output', () => {
    const result = runSync(['sh', '-c', 'echo out; echo err >&2; exit 2'], { captureOutput: true, text: true });
    assert.ok(result instanceof CompletedProcess);
    assert.equal(result.returncode, 2);
    assert.equal(result.stdout, 'out\n');
    assert.equal(result.stderr, 'err\n');
  });

  test('input, bytes, check', () => {
    const result = runSync(['cat'], { input: Buffer.from([1, 2, 3]), stdout: PIPE });
    assert.deepEqual([...result.stdout], [1, 2, 3]);
    assert.throws(() => runSync(['false'], { check: true }), CalledProcessError);
  });

  test('stderr STDOUT keeps the order without a shell', () => {
    const script = 'for i in 1 2 3; do echo "out $i"; echo "err $i" >&2; done';
    const result = runSync(['sh', '-c', script], { stdout: PIPE, stderr: STDOUT, text: true });
    assert.equal(result.stdout, 'out 1\nerr 1\nout 2\nerr 2\nout 3\nerr 3\n');
    assert.equal(result.stderr, null);
  });

  test('shell, cwd, env, encoding, DEVNULL, file descriptors', () => {
    assert.equal(runSync('echo $X; pwd', { shell: true, cwd: '/tmp', env: { X: 'x' }, stdout: PIPE, text: true }).stdout, 'x\n/tmp\n');
    assert.equal(runSync(['printf', '\\304\\343'], { stdout: PIPE, encoding: 'gbk' }).stdout, '你');
    assert.equal(runSync(['echo', 'gone'], { stdout: DEVNULL }).stdout, null);
    const tmp = tempDir();
    try {
      const fd = openSync(tmp.path('out'), 'w');
      runSync(['echo', 'to file'], { stdout: fd });
      closeSync(fd);
      assert.equal(readFileSync(tmp.path('out'), 'utf8'), 'to file\n');
    } finally {
      tmp.remove();
    }
  });

  test('large output has no 1 MB limit', () => {
    const result = runSync(['head', '-c', String(8 * 1024 * 1024), '/dev/zero'], { stdout: PIPE });
    assert.equal(result.stdout.length, 8 * 1024 * 1024);
  });

  test('streams without a file descriptor are refused with a hint', () => {
    assert.throws(() => runSync(['true'], { stdout: new PassThrough() }), /file descriptor.*use run\(\)/);
  });
});
