// Distributed managers (G1, seed 000's 分布式进程): TCP addresses with an authkey, the
// three-party example (a server program running getServer().serveForever(), a sender and a
// receiver program connecting), the two-party task_master / task_worker with start(), wrong
// keys (AuthenticationError) and nothing listening (a clear error).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { AuthenticationError, BaseManager, ProcessError, SyncManager, type Address } from 'multiprocessing-ts';
import { QueueManager } from '../fixtures/manager-types.ts';
import { connectAndAppend, taskWorker } from '../fixtures/manager-workers.ts';
import { runDriver, waitFor } from '../helpers.ts';
import { startDriver } from '../shared/_util.ts';
import { LONG, METHODS, bounded, checkNothingLeft, errorLike, joinAll, shmNames, shutdownAndCheck, start, started } from './_util.ts';

const shmBefore = shmNames();
after(() => checkNothingLeft(shmBefore));

/** A TCP port nobody listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('TCP with an authkey', () => {
  test("start() on ['127.0.0.1', 0]: address gives the real port; a second manager connects with the key; a child connects by address", { timeout: 60_000 }, async (t) => {
    const authkey = Buffer.from('s3cret');
    const m = await started(t, new SyncManager({ address: ['127.0.0.1', 0], authkey }));
    const address = m.address as readonly [string, number];
    assert.equal(address[0], '127.0.0.1');
    assert.ok(address[1] > 0, `a real port, got ${address[1]}`);
    const client = new SyncManager({ address, authkey });
    await client.connect();
    const list = await client.list<unknown>();
    assert.deepEqual(list.token.address, address);
    await joinAll([start(t, 'spawn', connectAndAppend, [address, authkey, list])]);
    const made = (await list.get(0)) as { get(k: string): Promise<unknown> };
    assert.equal(typeof (await made.get('made by')), 'number', "the child's object outlives the child: the list holds it");
  });

  test('a wrong authkey: connect() rejects with AuthenticationError; the right key still connects after', async (t) => {
    const m = await started(t, new SyncManager({ address: ['127.0.0.1', 0], authkey: Buffer.from('right') }));
    const wrong = new SyncManager({ address: m.address, authkey: Buffer.from('wrong') });
    await assert.rejects(wrong.connect(), errorLike(AuthenticationError, /digest/));
    await assert.rejects(wrong.dict(), /not connected/, 'a failed connect() leaves the manager unconnected');
    const right = new SyncManager({ address: m.address, authkey: Buffer.from('right') });
    await right.connect();
    const v = await right.Value('i', 1);
    assert.equal(await v.get(), 1);
  });

  test('a wrong authkey from another program: AuthenticationError there', { timeout: 60_000 }, async (t) => {
    const m = await started(t, new QueueManager({ address: ['127.0.0.1', 0], authkey: Buffer.from('abc') }));
    const [host, port] = m.address as readonly [string, number];
    const result = await runDriver('driver-manager-client.ts', ['connect', host, String(port), 'not abc']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout.trim()) as { name: string }).name, 'AuthenticationError');
  });

  test('connect() to a port nobody listens on: an error naming the address (ECONNREFUSED)', async () => {
    const port = await closedPort();
    const m = new SyncManager({ address: ['127.0.0.1', port], authkey: Buffer.from('k') });
    await assert.rejects(m.connect(), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.equal((e as Error & { code?: string }).code, 'ECONNREFUSED');
      return true;
    });
    const path = new SyncManager({ address: `/tmp/mpts-test-nothing-${process.pid}.sock` });
    await assert.rejects(path.connect(), (e: unknown) => (e as { code?: string }).code === 'ENOENT' && /mpts-test-nothing/.test((e as Error).message));
  });

  test('an address in use: start() is ProcessError ERR_MANAGER_START with the listen error as cause; getServer().ready and serveForever() reject with it', async (t) => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    t.after(() => busy.close());
    const { port } = busy.address() as { port: number };
    const m = new SyncManager({ address: ['127.0.0.1', port] });
    await assert.rejects(m.start(), (e: unknown) => {
      assert.ok(e instanceof ProcessError);
      assert.equal(e.code, 'ERR_MANAGER_START');
      assert.match(e.message, /the server could not start: listen EADDRINUSE/);
      assert.equal((e.cause as { code?: string }).code, 'EADDRINUSE');
      return true;
    });
    assert.ok(await waitFor(() => m.process?.exitcode !== null, 10_000), 'the server process ended');
    const server = new SyncManager({ address: ['127.0.0.1', port] }).getServer();
    await assert.rejects(server.ready, (e: unknown) => (e as { code?: string }).code === 'EADDRINUSE');
    await assert.rejects(server.serveForever(), (e: unknown) => (e as { code?: string }).code === 'EADDRINUSE');
  });

  test('a client without a key at a server with one is refused promptly (the connection ends)', async (t) => {
    const m = await started(t, new SyncManager({ address: ['127.0.0.1', 0], authkey: Buffer.from('k') }));
    const keyless = new SyncManager({ address: m.address, authkey: null });
    await assert.rejects(bounded(keyless.connect(), 'connect() without a key', 10_000), (e: unknown) => e instanceof Error && !/not settled/.test(e.message));
  });

  test('a client with a key at a server without one: AuthenticationError once the handshake times out (30 s)', { timeout: 90_000 }, async (t) => {
    const m = await started(t, new SyncManager({ address: ['127.0.0.1', 0], authkey: null }));
    const keyed = new SyncManager({ address: m.address, authkey: Buffer.from('k') });
    await assert.rejects(bounded(keyed.connect(), 'connect() with a key', 60_000), errorLike(AuthenticationError, /authentication did not complete within 30000 ms/));
    const open = new SyncManager({ address: m.address, authkey: null });
    await open.connect();
    assert.equal(await (await open.Value('i', 5)).get(), 5, 'a keyless server serves keyless clients');
  });

  test('connect() that failed (nothing listening) can be retried once the server is up', async (t) => {
    const port = await closedPort();
    const authkey = Buffer.from('retry');
    const early = new SyncManager({ address: ['127.0.0.1', port], authkey });
    await assert.rejects(early.connect(), (e: unknown) => (e as { code?: string }).code === 'ECONNREFUSED');
    await started(t, new SyncManager({ address: ['127.0.0.1', port], authkey }));
    const late = new SyncManager({ address: ['127.0.0.1', port], authkey });
    await late.connect();
    assert.equal(await (await late.Value('i', 2)).get(), 2);
  });

  test('a proxy of a manager that was shut down does not reach an object of a new manager on the same address', async (t) => {
    const port = await closedPort();
    const authkey = Buffer.from('restart');
    const first = await started(t, new SyncManager({ address: ['127.0.0.1', port], authkey }));
    const old = await first.dict<string, string>();
    await old.set('who', 'first');
    await shutdownAndCheck(first);
    const second = await started(t, new SyncManager({ address: ['127.0.0.1', port], authkey }));
    const fresh = await second.dict<string, string>();
    await fresh.set('who', 'second');
    await assert.rejects(old.get("who"), /no object with id|connection|was shut down/, `the old proxy (id ${old.token.id}) reached the new dict (id ${fresh.token.id})`);
  });

  test("bound to ['0.0.0.0', 0] and reached as 127.0.0.1: proxies sent back to the server are its own (a Condition over a Lock works)", async (t) => {
    const authkey = Buffer.from('any');
    const m = await started(t, new SyncManager({ address: ['0.0.0.0', 0], authkey }));
    const port = (m.address as readonly [string, number])[1];
    const client = new SyncManager({ address: ['127.0.0.1', port], authkey });
    await client.connect();
    const lock = await client.Lock();
    const cond = await client.Condition(lock);
    await lock.acquire();
    await cond.notify(); // held through the Lock: the server found its own Lock behind the proxy
    assert.equal(await cond.wait(10), false);
    await lock.release();
  });
});

describe("seed 000's three-party example: serveForever() in one program, a sender and a receiver in others", () => {
  test('the sender puts "hello", the receiver prints it and its address; SIGTERM ends serveForever()', { timeout: 90_000 }, async (t) => {
    const server = startDriver(t, 'driver-manager-serve.ts', ['127.0.0.1', '0', 'abc']);
    assert.ok(await waitFor(() => server.stdout().includes('\n'), 30_000), `the server did not start: ${server.stderr()}`);
    const { address, pid } = JSON.parse(server.stdout().split('\n')[0]) as { address: [string, number]; pid: number };
    assert.equal(pid, server.child.pid, 'served in the program itself, no server process');
    const [host, port] = address;
    const receiving = runDriver('driver-manager-client.ts', ['get', host, String(port), 'abc']);
    const sent = await runDriver('driver-manager-client.ts', ['put', host, String(port), 'abc', 'hello']);
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(sent.stdout.trim(), 'put');
    const received = await receiving;
    assert.equal(received.code, 0, received.stderr);
    const [item, printed] = received.stdout.trim().split('\n');
    assert.equal(item, 'hello');
    assert.deepEqual(JSON.parse(printed), [host, port], 'print(m.address)');
    // The library's own Queue served as the object: put from one program, get from another.
    const mpPut = await runDriver('driver-manager-client.ts', ['mpput', host, String(port), 'abc', 'via Queue']);
    assert.equal(mpPut.code, 0, mpPut.stderr);
    const mpGet = await runDriver('driver-manager-client.ts', ['mpget', host, String(port), 'abc']);
    assert.equal(mpGet.code, 0, mpGet.stderr);
    assert.equal(mpGet.stdout.trim(), 'via Queue');
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    assert.equal(exit.code, 0, server.stderr());
    assert.match(server.stdout(), /stopped/);
  });
});

for (const method of METHODS) {
  test(`seed 000's two-party task_master/task_worker: start() on TCP, a worker child ('${method}') connects with the key`, { timeout: 60_000 }, async (t) => {
    const authkey = Buffer.from('abc');
    const manager = await started(t, new QueueManager({ address: ['127.0.0.1', 0], authkey }));
    const task = await manager.get_task_queue();
    const result = await manager.get_result_queue();
    for (let n = 0; n < 10; n++) await task.put(n);
    const worker = start(t, method, taskWorker, [manager.address as Address, authkey, 10]);
    const results: unknown[] = [];
    for (let i = 0; i < 10; i++) results.push(await result.get(LONG));
    await joinAll([worker]);
    assert.deepEqual(results, Array.from({ length: 10 }, (_, n) => `${n} * ${n} = ${n * n}`));
  });
}

test("seed 000's task_worker as another program (no shared authkey: it is given)", { timeout: 60_000 }, async (t) => {
  const manager = await started(t, new QueueManager({ address: ['127.0.0.1', 0], authkey: Buffer.from('abc') }));
  const [host, port] = manager.address as readonly [string, number];
  const task = await manager.get_task_queue();
  const result = await manager.get_result_queue();
  for (let n = 1; n <= 5; n++) await task.put(n);
  const worker = await runDriver('driver-manager-worker.ts', [host, String(port), 'abc', '5']);
  assert.equal(worker.code, 0, worker.stderr);
  assert.equal(worker.stdout.trim(), 'worker done');
  const results: unknown[] = [];
  for (let i = 0; i < 5; i++) results.push(await result.get(1000));
  assert.deepEqual(results, ['1 * 1 = 1', '2 * 2 = 4', '3 * 3 = 9', '4 * 4 = 16', '5 * 5 = 25']);
});

test('a getServer() server in this process: closures work as callables; its own proxies call it directly; shutdown() ends serveForever()', async () => {
  const items: string[] = [];
  class LocalManager extends BaseManager {}
  LocalManager.register('items', { callable: () => ({ push: (s: string) => items.push(s), all: () => [...items] }) });
  const m = new LocalManager({ address: ['127.0.0.1', 0], authkey: Buffer.from('local') });
  const server = m.getServer();
  await server.ready;
  const serving = server.serveForever();
  const address = server.address;
  assert.deepEqual(m.address, address, 'the manager knows the bound address');
  const client = new LocalManager({ address, authkey: Buffer.from('local') });
  await client.connect();
  const proxy = (await (client as unknown as { items(): Promise<{ push(s: string): Promise<number>; all(): Promise<string[]> }> }).items());
  assert.equal(await proxy.push('a'), 1);
  assert.deepEqual(items, ['a'], 'the closure ran here, on our array');
  assert.deepEqual(await proxy.all(), ['a']);
  await client.shutdown(); // a connected manager: only its connection
  server.shutdown();
  await serving;
  await shutdownAndCheck(m);
});
