// Proxies crossing (G3): as Process arguments, nested in arrays and objects, through a library
// Queue both ways, stored in a managed list / dict / Namespace and coming back as proxies (also
// in a child, and across two managers), each arriving as its own proxy class, on both start
// methods.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AcquirerProxy,
  ArrayProxy,
  AutoProxy,
  BarrierProxy,
  ConditionProxy,
  DictProxy,
  EventProxy,
  JoinableQueueProxy,
  ListProxy,
  LockProxy,
  Manager,
  NamespaceProxy,
  Queue,
  QueueProxy,
  SemaphoreProxy,
  ValueProxy,
  type BaseProxy,
  type SyncManager,
} from 'multiprocessing-ts';
import { proxiesToQueue, proxyFromQueue, reportKinds, useBundle, useCounter, useStoredProxy, type ProxyBundle } from '../fixtures/manager-targets.ts';
import { CounterManager, type CounterProxy } from '../fixtures/manager-types.ts';
import { LONG, METHODS, checkNothingLeft, joinAll, shmNames, shutdownAndCheck, start, started } from './_util.ts';

let manager: SyncManager;
let counters: CounterManager;
const shmBefore = shmNames();
before(async () => {
  manager = await Manager();
  counters = new CounterManager();
  await counters.start();
});
after(async () => {
  await shutdownAndCheck(manager);
  await shutdownAndCheck(counters);
  await checkNothingLeft(shmBefore);
});

describe('in this process', () => {
  test('a proxy stored in a managed list, dict or Namespace comes back as a working proxy of the same object', async () => {
    const holder = await manager.list<unknown>();
    const d = await manager.dict<string, number>();
    await holder.append(d);
    const back = (await holder.get(0)) as DictProxy<string, number>;
    assert.ok(back instanceof DictProxy, `got ${String(back)}`);
    assert.equal(back.token.id, d.token.id, 'the same object');
    await back.set('k', 1);
    assert.equal(await d.get('k'), 1);
    const [copied] = (await holder.copy()) as [DictProxy<string, number>];
    assert.ok(copied instanceof DictProxy);
    assert.equal(await copied.get('k'), 1);
    const table = await manager.dict<string, unknown>();
    const lock = await manager.Lock();
    await table.set('lock', lock);
    const lockBack = (await table.get('lock')) as LockProxy;
    assert.ok(lockBack instanceof LockProxy);
    await lockBack.acquire();
    assert.equal(await lock.locked(), true);
    await lock.release();
    const ns = await manager.Namespace();
    await ns.set('queue', await manager.Queue());
    const q = (await ns.get('queue')) as QueueProxy<string>;
    assert.ok(q instanceof QueueProxy);
    await q.put('x');
    assert.equal(await q.get(), 'x');
  });

  test('a proxy nested in a value stored in the server comes back nested', async () => {
    const d = await manager.dict<string, unknown>();
    const inner = await manager.list([1]);
    await d.set('nest', { items: [inner, 'plain'], n: 1 });
    const got = (await d.get('nest')) as { items: [ListProxy<number>, string]; n: number };
    assert.ok(got.items[0] instanceof ListProxy);
    assert.equal(got.items[1], 'plain');
    await got.items[0].append(2);
    assert.deepEqual(await inner.copy(), [1, 2]);
  });

  test("a proxy of one manager kept in another manager's list comes back working (the server connects to the other)", async () => {
    const c = await counters.Counter(5);
    const holder = await manager.list<unknown>();
    await holder.append(c);
    const back = (await holder.get(0)) as CounterProxy;
    assert.ok(back instanceof AutoProxy);
    assert.deepEqual(back.token.address, counters.address);
    assert.equal(await back.increment(), 6);
    assert.equal(await c.value(), 6);
  });
});

for (const method of METHODS) {
  describe(`to and from children ('${method}')`, () => {
    test('every SyncManager proxy arrives in a child as its own class', { timeout: 60_000 }, async (t) => {
      const report = await manager.dict<string, unknown>();
      const proxies: BaseProxy[] = [
        report,
        await manager.list(),
        await manager.Namespace(),
        await manager.Value('i', 0),
        await manager.Array('i', 1),
        await manager.Queue(),
        await manager.JoinableQueue(),
        await manager.Lock(),
        await manager.RLock(),
        await manager.Semaphore(),
        await manager.BoundedSemaphore(),
        await manager.Condition(),
        await manager.Event(),
        await manager.Barrier(2),
        await counters.Counter(),
      ];
      await joinAll([start(t, method, reportKinds, [report, proxies])]);
      assert.deepEqual(await report.get('kinds'), [
        ['DictProxy', 'dict'],
        ['ListProxy', 'list'],
        ['NamespaceProxy', 'Namespace'],
        ['ValueProxy', 'Value'],
        ['ArrayProxy', 'Array'],
        ['QueueProxy', 'Queue'],
        ['JoinableQueueProxy', 'JoinableQueue'],
        ['LockProxy', 'Lock'],
        ['AcquirerProxy', 'RLock'],
        ['SemaphoreProxy', 'Semaphore'],
        ['SemaphoreProxy', 'BoundedSemaphore'],
        ['ConditionProxy', 'Condition'],
        ['EventProxy', 'Event'],
        ['BarrierProxy', 'Barrier'],
        ['AutoProxy', 'Counter'],
      ]);
      // (the same classes here, for the record)
      const classes = [DictProxy, ListProxy, NamespaceProxy, ValueProxy, ArrayProxy, QueueProxy, JoinableQueueProxy, LockProxy, AcquirerProxy, SemaphoreProxy, SemaphoreProxy, ConditionProxy, EventProxy, BarrierProxy, AutoProxy];
      proxies.forEach((p, i) => assert.equal(p.constructor, classes[i]));
    });

    test('proxies nested inside arrays, objects and a Map of the arguments arrive working', { timeout: 60_000 }, async (t) => {
      const bundle: ProxyBundle = {
        dict: await manager.dict<string, unknown>(),
        pair: [await manager.list<number>([1]), await manager.Value('i', 21)],
        nested: { inner: { lock: await manager.Lock(), ns: await manager.Namespace() } },
        plain: { n: 42 },
        map: new Map([['event', await manager.Event()]]),
      };
      await joinAll([start(t, method, useBundle, [bundle])]);
      assert.deepEqual(await bundle.pair[0].copy(), [1, 42]);
      assert.equal(await bundle.pair[1].get(), 42);
      assert.equal(typeof (await bundle.nested.inner.ns.get('child')), 'number');
      assert.equal(await bundle.nested.inner.lock.locked(), false);
      assert.deepEqual(await bundle.dict.get('kinds'), ['DictProxy', 'ListProxy', 'ValueProxy', 'LockProxy', 'NamespaceProxy', 'EventProxy']);
      assert.equal(await bundle.map.get('event')?.isSet(), true, 'a proxy inside a Map arrived working');
    });

    test('a proxy sent through a library Queue arrives working (a SyncManager dict and a custom AutoProxy)', { timeout: 60_000 }, async (t) => {
      const q = new Queue<{ dict: DictProxy<string, unknown>; counter?: CounterProxy }>();
      t.after(() => q.close());
      const dict = await manager.dict<string, unknown>();
      const counter = await counters.Counter(1);
      await q.put({ dict, counter });
      await joinAll([start(t, method, proxyFromQueue, [q])]);
      assert.equal(await dict.get('via-queue'), 'DictProxy');
      assert.equal(await dict.get('counter'), 11);
      assert.equal(await counter.value(), 11);
    });

    test('proxies a child puts on a library Queue arrive working here', { timeout: 60_000 }, async (t) => {
      const q = new Queue<{ dict: DictProxy<string, unknown>; lock: LockProxy; list: DictProxy<string, unknown>[] }>();
      t.after(() => q.close());
      const dict = await manager.dict<string, unknown>();
      const lock = await manager.Lock();
      const child = start(t, method, proxiesToQueue, [q, dict, lock]);
      const got = await q.get({ timeout: LONG });
      await joinAll([child]);
      assert.ok(got.dict instanceof DictProxy && got.lock instanceof LockProxy && got.list[0] instanceof DictProxy);
      assert.equal(got.dict.token.id, dict.token.id);
      await got.list[0].set('back', true);
      assert.equal(await dict.get('back'), true);
      assert.equal(await got.lock.acquire({ block: false }), true);
      assert.equal(await lock.locked(), true);
      await lock.release();
    });

    test('a proxy stored in a managed list arrives in a child as a proxy; one the child stores comes back as one', { timeout: 60_000 }, async (t) => {
      const holder = await manager.list<DictProxy<string, unknown>>();
      const stored = await manager.dict<string, unknown>();
      const report = await manager.dict<string, unknown>();
      await holder.append(stored);
      await joinAll([start(t, method, useStoredProxy, [holder, report])]);
      assert.equal(typeof (await stored.get('from-child')), 'number');
      assert.equal(await report.get('stored-kind'), 'DictProxy');
      const fromChild = await holder.get(1);
      assert.ok(fromChild instanceof DictProxy);
      assert.equal(fromChild.token.id, report.token.id);
    });

    test('a custom AutoProxy given as an argument works in the child', { timeout: 60_000 }, async (t) => {
      const counter = await counters.Counter(0);
      await joinAll([start(t, method, useCounter, [counter, 5])]);
      assert.equal(await counter.value(), 5);
    });
  });
}

test('a user proxytype arrives in a child that never imported its module as that class, not an AutoProxy', { timeout: 60_000 }, async (t) => {
  const handle = await counters.Handle(3);
  const report = await manager.dict<string, unknown>();
  await joinAll([start(t, 'spawn', reportKinds, [report, [handle]])]);
  assert.deepEqual(await report.get('kinds'), [['CounterHandle', 'Handle']]);
});

test('two managers whose inline proxytypes share a name keep their own proxy classes', async (t) => {
  const { BaseManager, BaseProxy } = await import('multiprocessing-ts');
  const { makeCounter } = await import('../fixtures/manager-types.ts');
  class A extends BaseManager {}
  class B extends BaseManager {}
  A.register('a', { callable: makeCounter, proxytype: class Proxy extends BaseProxy { which(): string { return 'A'; } } });
  B.register('b', { callable: makeCounter, proxytype: class Proxy extends BaseProxy { which(): string { return 'B'; } } });
  const a = await started(t, new A());
  const proxy = (await (a as unknown as { a(): Promise<{ which(): string }> }).a());
  assert.equal(proxy.which(), 'A');
});
