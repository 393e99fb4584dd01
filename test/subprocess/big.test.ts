// 100 MB through stdin → cat → stdout, both directions at once, without deadlock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PIPE, Popen, run } from 'multiprocessing-ts/subprocess';

const SIZE = 100 * 1024 * 1024;

function pattern(): Buffer {
  const data = Buffer.allocUnsafe(SIZE);
  for (let i = 0; i < SIZE; i += 4) data.writeUInt32LE(i, i);
  return data;
}

const digest = (data: Uint8Array): string => createHash('sha1').update(data).digest('hex');

test('run(): 100 MB in and 100 MB out through cat', async () => {
  const data = pattern();
  const result = await run(['cat'], { input: data, stdout: PIPE, timeout: 20000 });
  assert.equal(result.returncode, 0);
  assert.equal(result.stdout.length, SIZE);
  assert.equal(digest(result.stdout), digest(data));
});

test('Popen.communicate(): 100 MB through cat, with stderr output at the same time', async () => {
  const data = pattern();
  const proc = new Popen(['sh', '-c', 'cat; head -c 1000000 /dev/zero >&2'], { stdin: PIPE, stdout: PIPE, stderr: PIPE });
  const [out, err] = await proc.communicate(data, { timeout: 20000 });
  assert.equal(digest(out), digest(data));
  assert.equal(err.length, 1_000_000);
});
