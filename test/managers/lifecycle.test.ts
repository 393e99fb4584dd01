// A manager's life (G1): before start() (ProcessError), start/connect/getServer twice, after
// shutdown() (the manager, its proxies, its server process), await using, a server started on
// the 'thread' method, requests pending when the server goes (EOFError), and the server
// process ending with its parent (SIGKILL) or with a program that never called shutdown().
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { BaseManager, EOFError, Manager, ProcessError, SyncManager, ValueError } from 'multiprocessing-ts';
import { isDead, runDriver, waitFor } from '../helpers.ts';
import { startDriver } from '../shared/_util.ts';
import { LONG, bounded, checkNothingLeft, errorLike, managerFor, shmNames, shutdownAndCheck } from './_util.ts';

const shmBefore = shmNames();
after(() => checkNothingLeft(shmBefore));

describe('before start()', () => {
  test('making an object is ProcessError ERR_MANAGER_STATE; address is ValueError ERR_NOT_READY; join() is ProcessError; process is null', async () => {
    const m = new SyncManager();
    await assert.rejects(m.dict(), errorLike(ProcessError, /SyncManager\.dict\(\): the manager is not connected \(call start\(\) or connect\(\) first\)/, 'ERR_MANAGER_STATE'));
    await assert.rejects(m.Lock(), ProcessError);
    assert.throws(() => m.address, errorLike(ValueError, /not started yet/, 'ERR_NOT_READY'));
    await assert.rejects(m.join(), errorLike(ProcessError, /start\(\) was not called/));
    assert.equal(m.process, null);
    assert.match(inspect(m), /<SyncManager initial>/);
  });

  test('shutdown() before start() is harmless, and the manager cannot be started after', async () => {
    const m = new SyncManager();
    await m.shutdown();
    await assert.rejects(m.start(), errorLike(ProcessError, /the manager is shutdown/));
    await assert.rejects(m.dict(), errorLike(ProcessError, /it was shut down/));
  });
});

describe('a started manager', () => {
  test('start() twice, connect() or getServer() after start() are ProcessError; inspect names the state and address', async (t) => {
    const m = await managerFor(t);
    await assert.rejects(m.start(), errorLike(ProcessError, /SyncManager\.start\(\): the manager is started/, 'ERR_MANAGER_STATE'));
    await assert.rejects(m.connect(), ProcessError);
    assert.throws(() => m.getServer(), ProcessError);
    assert.match(inspect(m), /^<SyncManager started at @mpts-listener-/);
    assert.equal(m.process?.daemon, true, 'the server process is daemonic');
    assert.notEqual(m.process?.pid, process.pid);
  });

  test('join(timeout) returns while the server runs; after shutdown() the server has exited with 0 and join() returns', async () => {
    const m = await Manager();
    await m.join(30);
    assert.equal(m.process?.exitcode, null, 'still running');
    const pid = m.process!.pid!;
    await m.shutdown();
    assert.equal(m.process?.exitcode, 0);
    assert.ok(await waitFor(() => isDead(pid), 10_000));
    await m.join(LONG);
    await m.shutdown(); // again: harmless
    assert.match(inspect(m), /<SyncManager shutdown/);
  });

  test('after shutdown() making an object is ProcessError ERR_MANAGER_STATE ("it was shut down")', async () => {
    const m = await Manager();
    await m.shutdown();
    await assert.rejects(m.dict(), errorLike(ProcessError, /it was shut down/, 'ERR_MANAGER_STATE'));
  });

  test('after shutdown() a proxy call rejects (it does not hang)', async () => {
    const m = await Manager();
    const d = await m.dict<string, number>();
    await d.set('a', 1);
    await m.shutdown();
    await assert.rejects(bounded(d.get('a'), 'a call after shutdown'), (e: unknown) => e instanceof Error && !/not settled within/.test(e.message));
  });

  test('after shutdown() a proxy call is EOFError, as shutdown() documents', async () => {
    const m = await Manager();
    const d = await m.dict<string, number>();
    await m.shutdown();
    await assert.rejects(d.get('a'), EOFError);
  });

  test('a call waiting when the manager shuts down fails with EOFError', async () => {
    const m = await Manager();
    const q = await m.Queue();
    const waiting = q.get({ timeout: LONG });
    const outcome = waiting.then(() => 'resolved', (e: unknown) => e); // handled before shutdown() rejects it
    await m.shutdown();
    const error = await bounded(outcome, 'the waiting get');
    assert.ok(errorLike(EOFError, /the connection to the manager at @mpts-listener-\S+ ended/)(error));
  });

  test('a call waiting when the server process is killed fails with EOFError', async (t) => {
    const m = await managerFor(t);
    const lock = await m.Lock();
    await lock.acquire();
    const waiting = lock.acquire({ timeout: LONG });
    const outcome = waiting.then(() => 'resolved', (e: unknown) => e);
    m.process!.kill();
    assert.ok(errorLike(EOFError)(await bounded(outcome, 'the waiting acquire')));
    await m.join(LONG);
    assert.equal(m.process?.exitcode, -9);
  });

  test('await using: shut down at the end of the block', async () => {
    let pid = 0;
    {
      await using m = await Manager();
      pid = m.process!.pid!;
      const l = await m.list([1]);
      assert.deepEqual(await l.copy(), [1]);
    }
    assert.ok(await waitFor(() => isDead(pid), 10_000), 'the server process is gone');
  });

  test("a server started with the 'thread' method works and stops with shutdown()", async () => {
    const m = new SyncManager({ context: 'thread' });
    await m.start();
    const d = await m.dict<string, number>();
    await d.set('x', 1);
    assert.equal(await d.get('x'), 1);
    await m.shutdown();
    assert.notEqual(m.process?.exitcode, null, 'the server thread ended');
  });
});

describe('the server process does not outlive its program', () => {
  test('a program that starts a manager and is SIGKILLed: its server process is gone within seconds', { timeout: 60_000 }, async (t) => {
    const driver = startDriver(t, 'driver-manager-orphan.ts', ['wait']);
    assert.ok(await waitFor(() => driver.stdout().includes('\n'), 30_000), `the driver did not start its manager: ${driver.stderr()}`);
    const { server, self, alive } = JSON.parse(driver.stdout().split('\n')[0]) as { server: number; self: number; alive: boolean };
    assert.equal(alive, true);
    assert.notEqual(server, self);
    assert.equal(isDead(server), false, 'the server runs');
    driver.child.kill('SIGKILL');
    await driver.exited;
    assert.ok(await waitFor(() => isDead(server), 10_000), `the manager server ${server} outlived its SIGKILLed parent`);
  });

  test('a program that never calls shutdown() still ends, and its server with it', { timeout: 60_000 }, async () => {
    const result = await runDriver('driver-manager-orphan.ts', ['exit'], 30_000);
    assert.equal(result.code, 0, `${result.signal ?? ''} ${result.stderr}`);
    const { server } = JSON.parse(result.stdout.trim()) as { server: number };
    assert.ok(await waitFor(() => isDead(server), 10_000), `the manager server ${server} outlived its program`);
  });
});

test('BaseManager itself: no types, but start(), connect() and shutdown() work', async (t) => {
  const m = new BaseManager();
  t.after(() => shutdownAndCheck(m));
  await m.start();
  const other = new BaseManager({ address: m.address });
  await other.connect();
  await other.shutdown();
  assert.equal(typeof m.process?.pid, 'number');
});
