// Programs that cannot start, and arguments of the wrong type: clear errors, not bare ENOENT.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import {
  FileNotFoundError,
  OSError,
  PIPE,
  PermissionError,
  Popen,
  STDOUT,
  run,
  runSync,
} from 'multiprocessing-ts/subprocess';
import { tempDir } from './_util.js';

describe('a program that cannot be started', () => {
  test('run() rejects with FileNotFoundError naming the program and PATH', async () => {
    const error = await run(['no-such-program-xyz', '--flag']).catch((e: unknown) => e);
    assert.ok(error instanceof FileNotFoundError);
    assert.ok(error instanceof OSError);
    assert.equal(error.code, 'ENOENT');
    assert.equal(error.filename, 'no-such-program-xyz');
    assert.match(error.message, /no-such-program-xyz/);
    assert.match(error.message, /not found in PATH/);
  });

  test('new Popen() throws right away, as in Python', () => {
    assert.throws(() => new Popen(['no-such-program-xyz']), FileNotFoundError);
  });

  test('a command line passed as one string without shell gets a hint', async () => {
    const error = await run('ls -l').catch((e: unknown) => e);
    assert.ok(error instanceof FileNotFoundError);
    assert.match(error.message, /shell: true/);
    assert.match(error.message, /\["ls","-l"\]/);
  });

  test('a missing path, a non-executable file and a missing interpreter', async () => {
    const tmp = tempDir();
    try {
      const missing = await run([tmp.path('nothing')]).catch((e: unknown) => e);
      assert.ok(missing instanceof FileNotFoundError);
      assert.match(String(missing), /no such file/);

      writeFileSync(tmp.path('plain'), 'echo hi\n', { mode: 0o644 });
      const denied = await run([tmp.path('plain')]).catch((e: unknown) => e);
      assert.ok(denied instanceof PermissionError);
      assert.match(String(denied), /not executable/);

      writeFileSync(tmp.path('script'), '#!/no/such/interpreter\necho hi\n', { mode: 0o755 });
      const interp = await run([tmp.path('script')]).catch((e: unknown) => e);
      assert.ok(interp instanceof FileNotFoundError);
      assert.match(String(interp), /interpreter '\/no\/such\/interpreter'/);
    } finally {
      tmp.remove();
    }
  });

  test('a missing working directory is named as such', async () => {
    const error = await run(['ls'], { cwd: '/no/such/dir' }).catch((e: unknown) => e);
    assert.ok(error instanceof FileNotFoundError);
    assert.equal(error.filename, '/no/such/dir');
    assert.match(error.message, /working directory/);
  });

  test('runSync() throws the same errors', () => {
    assert.throws(() => runSync(['no-such-program-xyz']), FileNotFoundError);
    assert.throws(() => runSync(['ls'], { cwd: '/no/such/dir' }), /working directory/);
  });

  test('a missing program through the shell exits 127, and check says why', async () => {
    const result = await run('no-such-program-xyz', { shell: true, stdout: PIPE, stderr: STDOUT, text: true });
    assert.equal(result.returncode, 127);
    assert.match(result.stdout, /not found/);
    const error = await run('no-such-program-xyz 2>/dev/null', { shell: true, check: true }).catch((e: unknown) => e);
    assert.match(String(error), /command was not found/);
  });
});

describe('wrong arguments are TypeErrors / RangeErrors with a clear message', () => {
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['args a number', () => run(42 as never), /args must be a string or an array of strings/],
    ['args empty', () => run([]), /must not be an empty list/],
    ['args item not a string', () => run(['echo', 1 as never]), /args\[1\] must be a string/],
    ['NUL byte', () => run(['echo', 'a\0b']), /NUL byte/],
    ['timeout a string', () => run(['true'], { timeout: '5' as never }), /timeout must be a number of milliseconds/],
    ['negative timeout', () => run(['true'], { timeout: -1 }), /≥ 0/],
    ['unknown option', () => run(['true'], { capture_output: true } as never), /spelled 'captureOutput'/],
    ['Popen-only misuse', () => Promise.resolve().then(() => new Popen(['true'], { timeout: 5 } as never)), /wait\(\) or communicate\(\)/],
    ['input with stdin', () => run(['cat'], { input: 'x', stdin: PIPE }), /input and stdin/],
    ['captureOutput with stdout', () => run(['true'], { captureOutput: true, stdout: PIPE }), /captureOutput cannot be combined/],
    ['STDOUT for stdout', () => run(['true'], { stdout: STDOUT as never }), /only valid for stderr/],
    ['bad stdio value', () => run(['true'], { stdout: 'pipe' as never }), /stdout must be PIPE/],
    ['bad encoding', () => run(['true'], { encoding: 'klingon' }), /Unknown encoding 'klingon'/],
    ['bad errors', () => run(['true'], { errors: 'surrogateescape' as never }), /errors must be one of/],
    ['bad killSignal', () => run(['true'], { killSignal: 'SIGNOPE' as never }), /killSignal must be a signal name/],
    ['bad signal', () => run(['true'], { signal: {} as never }), /signal must be an AbortSignal/],
    ['bad env value', () => run(['true'], { env: { A: 1 as never } }), /env\.A must be a string/],
    ['text not boolean', () => run(['true'], { text: 'yes' as never }), /text must be a boolean/],
    ['runSync with signal', () => Promise.resolve().then(() => runSync(['true'], { signal: AbortSignal.timeout(1) } as never)), /cannot be aborted/],
  ];
  for (const [name, call, message] of cases) {
    test(name, async () => {
      const error = await call().catch((e: unknown) => e);
      assert.ok(error instanceof TypeError || error instanceof RangeError, `got ${String(error)}`);
      assert.match((error as Error).message, message);
    });
  }
});
