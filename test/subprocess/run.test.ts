// run(): every option, checked through what a user sees.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import {
  CalledProcessError,
  CompletedProcess,
  DEVNULL,
  PIPE,
  STDOUT,
  UnicodeDecodeError,
  run,
} from 'multiprocessing-ts/subprocess';
import { tempDir } from './_util.js';

const NODE = process.execPath;

describe('run: results', () => {
  test('returns a CompletedProcess with args, returncode and captured bytes', async () => {
    const result = await run(['echo', 'hello'], { captureOutput: true });
    assert.ok(result instanceof CompletedProcess);
    assert.deepEqual(result.args, ['echo', 'hello']);
    assert.equal(result.returncode, 0);
    assert.ok(Buffer.isBuffer(result.stdout));
    assert.equal(result.stdout.toString(), 'hello\n');
    assert.deepEqual(result.stderr, Buffer.alloc(0));
  });

  test('output is null when not captured', async () => {
    const result = await run(['true']);
    assert.equal(result.returncode, 0);
    assert.equal(result.stdout, null);
    assert.equal(result.stderr, null);
  });

  test('a non-zero exit without check resolves with the status', async () => {
    const result = await run(['sh', '-c', 'echo oops >&2; exit 3'], { captureOutput: true, text: true });
    assert.equal(result.returncode, 3);
    assert.equal(result.stderr, 'oops\n');
  });

  test('a non-zero exit with check rejects with CalledProcessError carrying everything', async () => {
    const error = await run(['sh', '-c', 'echo out; echo bad thing >&2; exit 4'], {
      captureOutput: true,
      text: true,
      check: true,
    }).catch((e: unknown) => e);
    assert.ok(error instanceof CalledProcessError);
    assert.equal(error.returncode, 4);
    assert.deepEqual(error.cmd, ['sh', '-c', 'echo out; echo bad thing >&2; exit 4']);
    assert.equal(error.output, 'out\n');
    assert.equal(error.stdout, 'out\n');
    assert.equal(error.stderr, 'bad thing\n');
    assert.match(error.message, /returned non-zero exit status 4/);
    assert.match(error.message, /stderr: bad thing/);
    assert.match(error.message, /check: false/);
  });

  test('checkReturncode() throws for non-zero and returns the process for zero', async () => {
    const ok = await run(['true']);
    assert.equal(ok.checkReturncode(), ok);
    const bad = await run(['false']);
    assert.throws(() => bad.checkReturncode(), CalledProcessError);
  });

  test('a process killed by a signal has a negative returncode', async () => {
    const result = await run(['sh', '-c', 'kill -TERM $$']);
    assert.equal(result.returncode, -15);
    const error = await run(['sh', '-c', 'kill -KILL $$'], { check: true }).catch((e: unknown) => e);
    assert.ok(error instanceof CalledProcessError);
    assert.match(error.message, /died with SIGKILL/);
  });
});

describe('run: input and text', () => {
  test('input as a string goes to stdin', async () => {
    const result = await run(['cat'], { input: 'some text', stdout: PIPE, text: true });
    assert.equal(result.stdout, 'some text');
  });

  test('input as bytes goes to stdin', async () => {
    const result = await run(['cat'], { input: new Uint8Array([0, 1, 2, 255]), stdout: PIPE });
    assert.deepEqual([...result.stdout], [0, 1, 2, 255]);
  });

  test('text translates \\r\\n and \\r to \\n, as Python does', async () => {
    const result = await run(['printf', 'a\\r\\nb\\rc\\n'], { stdout: PIPE, text: true });
    assert.equal(result.stdout, 'a\nb\nc\n');
  });

  test('universalNewlines is the old name of text', async () => {
    const result = await run(['echo', 'x'], { stdout: PIPE, universalNewlines: true });
    assert.equal(result.stdout, 'x\n');
  });

  test('encoding decodes output and encodes string input', async () => {
    const result = await run(['cat'], { input: 'héllo', stdout: PIPE, encoding: 'utf-16le' });
    assert.equal(result.stdout, 'héllo');
    const gbk = await run(['printf', '\\304\\343\\272\\303'], { stdout: PIPE, encoding: 'gbk' });
    assert.equal(gbk.stdout, '你好');
  });

  test("errors: 'strict' (default) throws UnicodeDecodeError, 'replace' and 'ignore' do not", async () => {
    const bad = ['printf', 'ok\\377'];
    const error = await run(bad, { stdout: PIPE, text: true }).catch((e: unknown) => e);
    assert.ok(error instanceof UnicodeDecodeError);
    assert.deepEqual([...error.data], [111, 107, 255]);
    assert.match(error.message, /not valid utf-8/);
    assert.equal((await run(bad, { stdout: PIPE, errors: 'replace' })).stdout, 'ok\uFFFD');
    assert.equal((await run(bad, { stdout: PIPE, errors: 'ignore' })).stdout, 'ok');
  });
});

describe('run: stdin / stdout / stderr', () => {
  test('stdout and stderr PIPE separately', async () => {
    const result = await run(['sh', '-c', 'echo 1; echo 2 >&2'], { stdout: PIPE, stderr: PIPE, text: true });
    assert.equal(result.stdout, '1\n');
    assert.equal(result.stderr, '2\n');
  });

  test('stderr STDOUT merges in order through a shell', async () => {
    const result = await run('echo a; echo b >&2; echo c; echo d >&2', {
      shell: true,
      stdout: PIPE,
      stderr: STDOUT,
      text: true,
    });
    assert.equal(result.stdout, 'a\nb\nc\nd\n');
    assert.equal(result.stderr, null);
  });

  test('stderr STDOUT merges without a shell', async () => {
    const result = await run(
      [NODE, '-e', 'process.stdout.write("out\\n"); setTimeout(() => process.stderr.write("err\\n"), 30)'],
      { stdout: PIPE, stderr: STDOUT, text: true },
    );
    assert.equal(result.stdout, 'out\nerr\n');
    assert.equal(result.stderr, null);
  });

  test('stderr STDOUT follows stdout into a file descriptor', async () => {
    const tmp = tempDir();
    try {
      const fd = openSync(tmp.path('out'), 'w');
      await run(['sh', '-c', 'echo one; echo two >&2'], { stdout: fd, stderr: STDOUT });
      closeSync(fd);
      assert.equal(readFileSync(tmp.path('out'), 'utf8'), 'one\ntwo\n');
    } finally {
      tmp.remove();
    }
  });

  test('DEVNULL discards output and gives empty input', async () => {
    const result = await run(['sh', '-c', 'echo lost; cat; echo done >&2'], {
      stdin: DEVNULL,
      stdout: DEVNULL,
      stderr: PIPE,
      text: true,
    });
    assert.equal(result.stdout, null);
    assert.equal(result.stderr, 'done\n');
    const read = await run(['cat'], { stdin: DEVNULL, stdout: PIPE });
    assert.equal(read.stdout.length, 0);
  });

  test("'inherit' (the default) shares this process's streams", async () => {
    const result = await run(['true'], { stdin: 'inherit', stdout: 'inherit', stderr: 'inherit' });
    assert.equal(result.returncode, 0);
  });

  test('file descriptors for stdin, stdout and stderr', async () => {
    const tmp = tempDir();
    try {
      writeFileSync(tmp.path('in'), 'from a file\n');
      const inFd = openSync(tmp.path('in'), 'r');
      const outFd = openSync(tmp.path('out'), 'w');
      const errFd = openSync(tmp.path('err'), 'w');
      await run(['sh', '-c', 'cat; echo problem >&2'], { stdin: inFd, stdout: outFd, stderr: errFd });
      [inFd, outFd, errFd].forEach((fd) => closeSync(fd));
      assert.equal(readFileSync(tmp.path('out'), 'utf8'), 'from a file\n');
      assert.equal(readFileSync(tmp.path('err'), 'utf8'), 'problem\n');
    } finally {
      tmp.remove();
    }
  });

  test('Node streams without a file descriptor are piped to and from', async () => {
    const source = new PassThrough();
    source.end('streamed in\n');
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    const errors = new PassThrough();
    const result = await run(['sh', '-c', 'cat; echo warn >&2'], { stdin: source, stdout: sink, stderr: errors });
    assert.equal(result.stdout, null);
    assert.equal(Buffer.concat(chunks).toString(), 'streamed in\n');
    assert.equal(errors.read()?.toString(), 'warn\n');
    assert.equal(sink.writableEnded, false, "the caller's stream is left open, as Python leaves files open");
  });
});

describe('run: shell, executable, cwd, env', () => {
  test('a string with shell runs a command line', async () => {
    const result = await run('echo $((6 * 7)) | tr 4 X', { shell: true, stdout: PIPE, text: true });
    assert.equal(result.stdout, 'X2\n');
    assert.equal(result.args, 'echo $((6 * 7)) | tr 4 X');
  });

  test('a list with shell: the first item is the command line, the rest are $0, $1… (as Python)', async () => {
    const result = await run(['echo "$0-$1"', 'zero', 'one'], { shell: true, stdout: PIPE, text: true });
    assert.equal(result.stdout, 'zero-one\n');
  });

  test('shell can name another shell', async () => {
    const result = await run('echo ${BASH_VERSION:+bash}', { shell: '/bin/bash', stdout: PIPE, text: true });
    assert.equal(result.stdout, 'bash\n');
  });

  test('executable replaces the program while args[0] becomes argv[0]', async () => {
    const result = await run(['custom-name', '-c', 'echo "$0"'], { executable: '/bin/sh', stdout: PIPE, text: true });
    assert.equal(result.stdout, 'custom-name\n');
  });

  test('cwd as a path and as a file: URL', async () => {
    const tmp = tempDir();
    try {
      const a = await run(['pwd'], { cwd: tmp.dir, stdout: PIPE, text: true });
      assert.equal(a.stdout.trim(), tmp.dir);
      const b = await run(['pwd'], { cwd: pathToFileURL(tmp.dir), stdout: PIPE, text: true });
      assert.equal(b.stdout.trim(), tmp.dir);
    } finally {
      tmp.remove();
    }
  });

  test('env replaces the whole environment', async () => {
    const result = await run(['/usr/bin/env'], { env: { ONLY_THIS: 'yes' }, stdout: PIPE, text: true });
    assert.equal(result.stdout, 'ONLY_THIS=yes\n');
  });

  test("programs are looked up in env's PATH", async () => {
    const tmp = tempDir();
    try {
      writeFileSync(tmp.path('my-tool'), '#!/bin/sh\necho tool ran\n', { mode: 0o755 });
      const result = await run(['my-tool'], { env: { PATH: `${tmp.dir}:/usr/bin:/bin` }, stdout: PIPE, text: true });
      assert.equal(result.stdout, 'tool ran\n');
    } finally {
      tmp.remove();
    }
  });
});
