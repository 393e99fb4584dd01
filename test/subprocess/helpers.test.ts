// call, checkCall, checkOutput, getoutput, getstatusoutput: Python's semantics.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CalledProcessError,
  TimeoutExpired,
  call,
  checkCall,
  checkOutput,
  getoutput,
  getstatusoutput,
} from 'multiprocessing-ts/subprocess';

describe('call / checkCall', () => {
  test('call resolves to the exit status', async () => {
    assert.equal(await call(['true']), 0);
    assert.equal(await call(['sh', '-c', 'exit 3']), 3);
    assert.equal(await call('exit 9', { shell: true }), 9);
  });

  test('call honours timeout', async () => {
    await assert.rejects(call(['sleep', '5'], { timeout: 100 }), TimeoutExpired);
  });

  test('checkCall resolves to 0 or rejects with CalledProcessError', async () => {
    assert.equal(await checkCall(['true']), 0);
    const error = await checkCall(['false']).catch((e: unknown) => e);
    assert.ok(error instanceof CalledProcessError);
    assert.equal(error.returncode, 1);
  });
});

describe('checkOutput', () => {
  test('resolves to stdout, bytes or text', async () => {
    const bytes = await checkOutput(['echo', 'hi']);
    assert.ok(Buffer.isBuffer(bytes));
    assert.equal(bytes.toString(), 'hi\n');
    assert.equal(await checkOutput(['cat'], { input: 'fed', text: true }), 'fed');
  });

  test('rejects on a non-zero status with the output attached', async () => {
    const error = await checkOutput(['sh', '-c', 'echo partial; exit 2'], { text: true }).catch((e: unknown) => e);
    assert.ok(error instanceof CalledProcessError);
    assert.equal(error.returncode, 2);
    assert.equal(error.output, 'partial\n');
  });

  test('refuses a stdout option', async () => {
    await assert.rejects(checkOutput(['true'], { stdout: 'inherit' } as never), /stdout option is not allowed/);
  });
});

describe('getoutput / getstatusoutput', () => {
  test('getstatusoutput: shell, stderr merged in order, one trailing newline removed', async () => {
    assert.deepEqual(await getstatusoutput('echo out; echo err >&2; exit 3'), [3, 'out\nerr']);
    assert.deepEqual(await getstatusoutput('printf "two\\n\\n"'), [0, 'two\n']);
  });

  test('a missing command: status 127 and the shell message', async () => {
    const [status, output] = await getstatusoutput('no-such-command-xyz');
    assert.equal(status, 127);
    assert.match(output, /no-such-command-xyz.*not found/);
  });

  test('getoutput returns the output only', async () => {
    assert.equal(await getoutput('ls /no/such/path; echo after'), "ls: cannot access '/no/such/path': No such file or directory\nafter");
  });

  test('options: cwd, env, encoding, timeout', async () => {
    assert.equal(await getoutput('pwd', { cwd: '/tmp' }), '/tmp');
    assert.equal(await getoutput('echo $GREETING', { env: { GREETING: 'hey', PATH: process.env.PATH } }), 'hey');
    assert.equal(await getoutput("printf '\\304\\343'", { encoding: 'gbk' }), '你');
    await assert.rejects(getoutput('sleep 5', { timeout: 100 }), TimeoutExpired);
  });

  test('cmd must be a string', async () => {
    await assert.rejects(getoutput(['ls'] as never), TypeError);
  });
});
