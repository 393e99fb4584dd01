// BaseManager (G1): register() of custom exported class factories (AutoProxy with the public
// methods, `exposed` restricting them, methodToTypeid serving results as proxies, a user
// proxytype, createMethod), errors from the object's methods arriving as their own classes,
// RemoteError for what the server cannot do, start({ initializer, initargs }), closures that
// cannot cross, and a second manager object connect()ing to a started one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AutoProxy, BaseManager, BaseProxy, ProcessError, RemoteError, SerializationError, SyncManager, ValueError, currentProcess } from 'multiprocessing-ts';
import {
  CounterHandle,
  CounterManager,
  ExtendedManager,
  failingInitializer,
  makeCounter,
  makeGreeter,
  makeNull,
  makeUndefined,
  setGreeting,
  type CounterProxy,
} from '../fixtures/manager-types.ts';
import { bounded, checkNothingLeft, errorLike, shmNames, shutdownAndCheck, started } from './_util.ts';

let counters: CounterManager;
const shmBefore = shmNames();
before(async () => {
  counters = new CounterManager();
  await counters.start();
});
after(async () => {
  await shutdownAndCheck(counters);
  await checkNothingLeft(shmBefore);
});

describe('custom types', () => {
  test('register() adds a method making the object in the server: an AutoProxy with its public methods only', async () => {
    const c = await counters.Counter(5);
    assert.ok(c instanceof AutoProxy);
    assert.equal(c.token.typeid, 'Counter');
    assert.deepEqual([...c.token.exposed].sort(), ['fail', 'give', 'increment', 'pid', 'slowIncrement', 'value']);
    assert.equal(await c.increment(2), 7);
    assert.equal(await c.value(), 7);
    assert.notEqual(await c.pid(), process.pid, 'the object lives in the server process');
    assert.equal(await c.pid(), counters.process?.pid);
    assert.equal(await c.slowIncrement(20), 8, 'an async method: its result is awaited');
    assert.equal((c as unknown as Record<string, unknown>)._secret, undefined, 'no method for a _name');
    await assert.rejects(c.callMethod('_secret'), errorLike(RemoteError, /method "_secret" of Counter is not exposed/));
    await assert.rejects(c.callMethod('nope'), errorLike(RemoteError, /not exposed/));
    await assert.rejects(c.callMethod('constructor'), RemoteError);
  });

  test('requests are served side by side: a slow call does not hold up another of the same client', async () => {
    const c = await counters.Counter(0);
    const slow = c.slowIncrement(300);
    assert.equal(await c.value(), 0, 'answered while the slow call waits');
    assert.equal(await bounded(slow, 'the slow call'), 1);
  });

  test("an error thrown by the object's method arrives as its own class (built-in, library, or by name) with the remote stack", async () => {
    const c = await counters.Counter();
    await assert.rejects(c.fail('range'), (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.equal(e.message, 'counter out of range (test)');
      assert.match(e.stack ?? '', /Counter\.fail .*manager-types\.ts/, 'the server-side stack');
      return true;
    });
    await assert.rejects(c.fail('value'), errorLike(ValueError, /a bad counter value/, 'ERR_TEST_VALUE'));
    await assert.rejects(c.fail('custom'), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.equal(e.name, 'CustomError');
      assert.equal((e as Error & { code?: string }).code, 'E_CUSTOM');
      assert.equal((e as Error & { detail?: number }).detail, 42);
      return true;
    });
    assert.equal(await c.value(), 0, 'the proxy works after errors');
  });

  test('a result that cannot be sent back is a RemoteError naming the method', async () => {
    const c = await counters.Counter();
    await assert.rejects(c.give(), errorLike(RemoteError, /the result of give\(\) cannot be sent back/));
  });

  test('exposed restricts the methods: others are RemoteError; an exposed name that is not a method is RemoteError', async () => {
    const r = await counters.RestrictedCounter(1);
    assert.deepEqual(r.token.exposed, ['value', 'increment']);
    assert.equal(await r.increment(), 2);
    assert.equal((r as unknown as Record<string, unknown>).fail, undefined);
    await assert.rejects(r.callMethod('fail', ['range']), errorLike(RemoteError, /method "fail" of RestrictedCounter is not exposed \(exposed: value, increment\)/));
    const b = await counters.BadlyExposed();
    await assert.rejects(b.callMethod('label'), errorLike(RemoteError, /"label" of BadlyExposed is not a method/));
  });

  test('methodToTypeid: a method result served as an object of that type (a proxy); others come back as copies', async () => {
    const factory = await counters.Factory();
    const made = await factory.make(3);
    assert.ok(made instanceof AutoProxy);
    assert.equal(made.token.typeid, 'Counter');
    assert.equal(await made.increment(), 4);
    const again = await factory.make(3);
    assert.notEqual(again.token.id, made.token.id, 'a new object each time');
    assert.deepEqual(await factory.snapshot(9), { start: 9 });
    const handle = await factory.makeHandle(10);
    assert.ok(handle instanceof CounterHandle, 'the proxytype of the target type');
    assert.equal(await handle.increment(5), 15);
  });

  test('a user proxytype: its own methods over callMethod; referentCopy() and token as any proxy', async () => {
    const handle = await counters.Handle(2);
    assert.ok(handle instanceof CounterHandle && handle instanceof BaseProxy);
    assert.equal(await handle.increment(), 3);
    assert.equal(await handle.value(), 3);
    assert.match(handle.token.proxy, /manager-types\.ts#CounterHandle$/, 'an exported proxytype is named by reference');
  });

  test('a callable returning null or undefined serves it (Python serves None); not a TypeError from the server', async (t) => {
    class NothingManager extends BaseManager {}
    NothingManager.register('none', { callable: makeNull });
    NothingManager.register('nothing', { callable: makeUndefined });
    const m = await started(t, new NothingManager());
    const made = m as unknown as { none(): Promise<BaseProxy>; nothing(): Promise<BaseProxy> };
    assert.equal(await (await made.none()).referentCopy(), null);
    assert.equal(await (await made.nothing()).referentCopy(), undefined);
  });

  test('a type registered without a callable: no manager method; a server without the type: RemoteError', async () => {
    assert.equal((counters as unknown as Record<string, unknown>).Orphan, undefined, 'createMethod: false');
    const create = (m: BaseManager, typeid: string): Promise<unknown> =>
      (m as unknown as { create(typeid: string, args: unknown[]): Promise<unknown> }).create(typeid, []);
    await assert.rejects(create(counters, 'Orphan'), errorLike(RemoteError, /type "Orphan" has no callable/));
    await assert.rejects(create(counters, 'NoSuchType'), errorLike(RemoteError, /no type "NoSuchType" is registered/));
  });

  test('a subclass inherits its parent\'s types and adds its own; the parent does not get the subclass\'s', async (t) => {
    assert.equal(typeof (new CounterManager() as unknown as Record<string, unknown>).TaskQueue, 'undefined');
    const extended = await started(t, new ExtendedManager());
    const c = await extended.Counter(1);
    assert.equal(await c.increment(), 2);
    const q1 = await extended.TaskQueue();
    const q2 = await extended.TaskQueue();
    assert.equal(q1.token.id, q2.token.id, 'a callable returning the same object serves one object');
    await q1.put('x');
    assert.equal(await q2.get(1000), 'x');
    class WithSync extends SyncManager {}
    WithSync.register('Counter', { callable: makeCounter });
    const sync = await started(t, new WithSync());
    const d = await sync.dict();
    await d.set(1, 2);
    const counter = await (sync as unknown as { Counter(n: number): Promise<CounterProxy> }).Counter(4);
    assert.equal(await counter.value(), 4);
  });
});

describe('register() and start() checks', () => {
  test('register() validates its arguments with TypeErrors', () => {
    class M extends BaseManager {}
    assert.throws(() => M.register(''), TypeError);
    assert.throws(() => M.register('x', { callable: 42 as never }), errorLike(TypeError, /callable must be a function or a \{ module, name \} reference/));
    assert.throws(() => M.register('x', { proxytype: class NotAProxy {} as never }), errorLike(TypeError, /proxytype must be a class extending BaseProxy/));
    assert.throws(() => M.register('x', { exposed: 'value' as never }), errorLike(TypeError, /exposed must be an array/));
    assert.throws(() => M.register('x', null as never), TypeError);
  });

  test('start() with a closure as a callable: SerializationError naming the type, and no server process', async () => {
    class ClosureManager extends BaseManager {}
    const queue: string[] = [];
    ClosureManager.register('get_queue', { callable: () => queue });
    const m = new ClosureManager();
    await assert.rejects(m.start(), errorLike(SerializationError, /the callable of manager type "get_queue".*not exported from its module/s));
    assert.equal(m.process, null);
  });

  test('start({ initializer, initargs }) runs the initializer in the server first; a closure initializer is a SerializationError', async (t) => {
    class GreeterManager extends BaseManager {}
    GreeterManager.register('Greeter', { callable: makeGreeter });
    const m = new GreeterManager();
    t.after(() => shutdownAndCheck(m));
    await m.start({ initializer: setGreeting, initargs: ['hi', 2] });
    const greeter = (await (m as unknown as { Greeter(): Promise<AutoProxy & { greet(): Promise<string> }> }).Greeter());
    assert.equal(await greeter.greet(), `hihi from ${m.process?.pid}`);
    await assert.rejects(new GreeterManager().start({ initializer: () => {} }), errorLike(SerializationError, /initializer/));
  });

  test('an initializer that throws: start() rejects with ProcessError ERR_MANAGER_START, the cause attached, and the server process ends', async () => {
    class FailingManager extends BaseManager {}
    const m = new FailingManager();
    await assert.rejects(m.start({ initializer: failingInitializer }), (e: unknown) => {
      assert.ok(e instanceof ProcessError);
      assert.equal(e.code, 'ERR_MANAGER_START');
      assert.match(e.message, /the initializer failed \(test\)/);
      assert.ok(e.cause instanceof RangeError);
      return true;
    });
    assert.notEqual(m.process, null);
    assert.notEqual(m.process?.exitcode, null, 'the server process has ended');
  });

  test('a bad address or authkey is refused by the constructor', () => {
    assert.throws(() => new BaseManager({ address: ['127.0.0.1', 70000] }), TypeError);
    assert.throws(() => new BaseManager({ address: '' }), ValueError);
    assert.throws(() => new BaseManager({ authkey: 'abc' as never }), errorLike(TypeError, /authkey must be a Buffer or Uint8Array/));
    assert.throws(() => new BaseManager(null as never), TypeError);
  });
});

describe('a second manager object connect()ing to a started one', () => {
  test('same address and authkey: it makes objects in the same server, and proxies of both mix', async (t) => {
    const m1 = await started(t, new SyncManager());
    const m2 = new SyncManager({ address: m1.address, authkey: currentProcess().authkey });
    await m2.connect();
    assert.equal(m2.process, null, 'a connected manager has no server process');
    assert.deepEqual(m2.address, m1.address);
    const fromM2 = await m2.dict<string, number>();
    assert.deepEqual(fromM2.token.address, m1.address);
    const list = await m1.list<unknown>();
    await list.append(fromM2);
    const back = (await list.get(0)) as typeof fromM2;
    await back.set('a', 1);
    assert.equal(await fromM2.get('a'), 1);
    await assert.rejects(m2.connect(), errorLike(ProcessError, /connected/), 'connect() twice');
    await assert.rejects(m2.start(), ProcessError);
    await assert.rejects(m2.join(10), errorLike(ProcessError, /no server process/));
  });

  test("shutting the connected manager down leaves the started one's objects alone", async (t) => {
    const m1 = await started(t, new SyncManager());
    const d = await m1.dict<string, number>();
    await d.set('a', 1);
    const m2 = new SyncManager({ address: m1.address, authkey: currentProcess().authkey });
    await m2.connect();
    await m2.dict();
    await m2.shutdown();
    assert.equal(await d.get('a'), 1);
  });

  test('connect() without an address is ValueError ERR_NO_ADDRESS', async () => {
    await assert.rejects(new SyncManager().connect(), errorLike(ValueError, /give the server's address/, 'ERR_NO_ADDRESS'));
  });

  test('a started manager at a given Unix socket path: another connects by that path', async (t) => {
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const path = join(tmpdir(), `mpts-test-manager-${process.pid}-${Date.now()}.sock`);
    const m1 = await started(t, new SyncManager({ address: path, authkey: Buffer.from('path key') }));
    assert.equal(m1.address, path);
    const m2 = new SyncManager({ address: path, authkey: Buffer.from('path key') });
    await m2.connect();
    const v = await m2.Value('i', 3);
    assert.equal(await v.get(), 3);
    const { existsSync } = await import('node:fs');
    assert.equal(existsSync(path), true);
    await shutdownAndCheck(m1);
    assert.equal(existsSync(path), false, 'the socket file is removed with the server');
  });
});
