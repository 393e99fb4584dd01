// The resource tracker (M3): named shared memory left by programs that crash or forget unlink()
// is unlinked once every process of the program has gone; nothing else is touched.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { SharedMemory } from 'multiprocessing-ts';
import { isDead, runDriver, waitFor } from '../helpers.ts';
import { leftovers, note, shmPath, startDriver } from './_util.ts';

const WARNING = /multiprocessing-ts resource tracker: \d+ shared memory segment\(s\) left by exited processes/;

function nameIn(output: string, pattern = /name=(mpts_[0-9a-f]+)/): string {
  const name = pattern.exec(output)?.[1];
  assert.ok(name !== undefined, `no segment name in: ${output}`);
  return note(name);
}

describe('a program that leaves named shared memory behind', () => {
  test('killed with SIGKILL: its segment is unlinked within a few seconds, with a warning', async (t) => {
    const driver = startDriver(t, 'driver-shm-leak.ts', ['kill']);
    assert.ok(await waitFor(() => /ready/.test(driver.stdout()), 30_000), driver.stdout() + driver.stderr());
    const name = nameIn(driver.stdout());
    assert.ok(existsSync(shmPath(name)), 'the segment exists while the program runs');
    driver.child.kill('SIGKILL');
    assert.deepEqual(await driver.exited, { code: null, signal: 'SIGKILL' });
    assert.ok(await waitFor(() => !existsSync(shmPath(name)), 10_000), `${name} outlived its SIGKILLed creator`);
    assert.ok(await waitFor(() => driver.stderr().includes(name), 5000), driver.stderr());
    assert.match(driver.stderr(), WARNING);
  });

  for (const mode of ['exit', 'exitcode'] as const) {
    test(`ending without unlink() (${mode === 'exit' ? 'the event loop runs dry' : 'process.exit(3)'}): the segment is unlinked, with a warning`, async () => {
      const result = await runDriver('driver-shm-leak.ts', [mode]);
      assert.equal(result.code, mode === 'exit' ? 0 : 3, result.stderr);
      const name = nameIn(result.stdout);
      assert.ok(await waitFor(() => !existsSync(shmPath(name)), 10_000), `${name} left in /dev/shm`);
      assert.match(result.stderr, WARNING);
      assert.ok(result.stderr.includes(name), result.stderr);
    });
  }

  test('a program that unlinks what it created gets no warning', async () => {
    const result = await runDriver('driver-shm-leak.ts', ['clean']);
    assert.equal(result.code, 0, result.stderr);
    const name = nameIn(result.stdout);
    assert.ok(!existsSync(shmPath(name)));
    assert.doesNotMatch(result.stderr, /resource tracker/);
  });

  test('a segment created with track: false is left alone', async () => {
    const result = await runDriver('driver-shm-leak.ts', ['untracked']);
    assert.equal(result.code, 0, result.stderr);
    const name = nameIn(result.stdout);
    try {
      // runDriver returns once the tracker has closed its end of stderr, i.e. has finished.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.ok(existsSync(shmPath(name)), 'an untracked segment must survive its creator');
      assert.doesNotMatch(result.stderr, /resource tracker/);
    } finally {
      try {
        new SharedMemory(name).unlink();
      } catch {
        // already gone: the assertion above says so
      }
    }
  });
});

for (const method of ['spawn', 'thread'] as const) {
  describe(`a segment created by a '${method}' child`, () => {
    test('is unlinked when the child is SIGKILLed along with its parent', async (t) => {
      const driver = startDriver(t, 'driver-shm-child.ts', [method, 'kill']);
      assert.ok(await waitFor(() => /child name=/.test(driver.stdout()), 30_000), driver.stdout() + driver.stderr());
      const name = nameIn(driver.stdout(), /child name=(mpts_[0-9a-f]+)/);
      const childPid = Number(/child name=\S+ pid=(\d+)/.exec(driver.stdout())?.[1]);
      assert.ok(existsSync(shmPath(name)));
      if (method === 'spawn') assert.notEqual(childPid, driver.child.pid);
      driver.child.kill('SIGKILL');
      await driver.exited;
      assert.ok(await waitFor(() => isDead(childPid), 10_000), `child ${childPid} outlived its parent`);
      assert.ok(await waitFor(() => !existsSync(shmPath(name)), 10_000), `${name} outlived the program`);
      assert.ok(await waitFor(() => WARNING.test(driver.stderr()), 5000), driver.stderr());
    });

    test('outlives the child while the parent runs (one tracker for the program), and is unlinked when the program ends', async () => {
      const result = await runDriver('driver-shm-child.ts', [method, 'exit']);
      const name = /name=(mpts_[0-9a-f]+)/.exec(result.stdout)?.[1];
      if (name !== undefined) note(name);
      assert.equal(result.code, 0, `driver exit code ${result.code} signal ${result.signal}: ${result.stderr}`);
      assert.match(result.stdout, /exitcode=0/);
      assert.match(result.stdout, /after-child exists=true/, `the child's segment was unlinked while the parent still ran: ${result.stderr}`);
      assert.ok(await waitFor(() => !existsSync(shmPath(name!)), 10_000), `${name} left in /dev/shm`);
      assert.match(result.stderr, WARNING);
    });
  });
}

test('no segment created by this file is left in /dev/shm', async () => {
  await waitFor(() => leftovers().length === 0, 10_000);
  assert.deepEqual(leftovers(), []);
});
