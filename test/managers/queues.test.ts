// A SyncManager's Queue and JoinableQueue (G2): Empty and Full with block: false and timeouts,
// putNowait/getNowait, qsize/empty/full, taskDone()/join(), and producers and consumers in
// other processes on both start methods.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Empty, Full, JoinableQueueProxy, QueueProxy, RemoteError, ValueError, type SyncManager } from 'multiprocessing-ts';
import { consumeJoinable, getOne, produce } from '../fixtures/manager-targets.ts';
import { LONG, METHODS, bounded, errorLike, eventually, joinAll, startChildren, withFileManager } from './_util.ts';

let manager: SyncManager;
withFileManager((m) => (manager = m));

describe('Queue', () => {
  test('FIFO; qsize/empty/full; an unbounded queue is never full', async () => {
    const q = await manager.Queue<string>();
    assert.ok(q instanceof QueueProxy);
    assert.equal(await q.empty(), true);
    for (const item of ['a', 'b', 'c']) await q.put(item);
    assert.equal(await q.qsize(), 3);
    assert.equal(await q.full(), false);
    assert.equal(await q.empty(), false);
    assert.deepEqual([await q.get(), await q.get(), await q.get()], ['a', 'b', 'c']);
    assert.equal(await q.empty(), true);
  });

  test('get with block: false / getNowait on an empty queue is Empty; with a timeout, Empty after it', async () => {
    const q = await manager.Queue<number>();
    await assert.rejects(q.get({ block: false }), errorLike(Empty, /empty/));
    await assert.rejects(q.getNowait(), Empty);
    await assert.rejects(q.get({ timeout: 50 }), errorLike(Empty, /within 50 ms/));
    await q.putNowait(1);
    assert.equal(await q.getNowait(), 1);
  });

  test('a bounded queue: put with block: false / putNowait when full is Full; with a timeout, Full after it', async () => {
    const q = await manager.Queue<number>(2);
    await q.put(1);
    await q.put(2);
    assert.equal(await q.full(), true);
    await assert.rejects(q.put(3, { block: false }), errorLike(Full, /maxsize 2/));
    await assert.rejects(q.putNowait(3), Full);
    await assert.rejects(q.put(3, { timeout: 50 }), Full);
    assert.equal(await q.qsize(), 2, 'the failed puts left nothing');
    assert.deepEqual([await q.get(), await q.get()], [1, 2]);
  });

  test('a waiting get is served by a later put; a waiting put by a later get (the connection is not blocked meanwhile)', async () => {
    const q = await manager.Queue<string>(1);
    const waitingGet = q.get({ timeout: LONG });
    assert.equal(await q.qsize(), 0, 'other requests are answered while a get waits');
    await q.put('x');
    assert.equal(await bounded(waitingGet, 'the waiting get'), 'x');
    await q.put('first');
    const waitingPut = q.put('second', { timeout: LONG });
    assert.equal(await q.get(), 'first');
    await bounded(waitingPut, 'the waiting put');
    assert.equal(await q.get({ timeout: LONG }), 'second');
  });

  test('bad arguments: a negative maxsize fails the create; a negative timeout is a TypeError; taskDone/join on a plain Queue are ValueError', async () => {
    await assert.rejects(manager.Queue(-1), errorLike(RemoteError, /maxsize must be a non-negative integer/));
    const q = await manager.Queue();
    await assert.rejects(q.get({ timeout: -1 }), TypeError);
    await assert.rejects(q.callMethod('taskDone'), RemoteError, 'taskDone is not exposed for a plain Queue');
  });
});

describe('JoinableQueue', () => {
  test('taskDone more often than items is ValueError ERR_TASK_DONE; join resolves once every item is done', async () => {
    const q = await manager.JoinableQueue<number>();
    assert.ok(q instanceof JoinableQueueProxy);
    await assert.rejects(q.taskDone(), errorLike(ValueError, /more times than there were items/, 'ERR_TASK_DONE'));
    await q.join(); // nothing unfinished: at once
    await q.put(1);
    await q.put(2);
    let joined = false;
    const joining = q.join().then(() => (joined = true));
    assert.equal(await q.get(), 1);
    await q.taskDone();
    assert.equal(await q.get(), 2);
    assert.equal(joined, false, 'join waits for the second taskDone');
    await q.taskDone();
    await bounded(joining, 'join() after the last taskDone');
    assert.equal(joined, true);
    await assert.rejects(q.taskDone(), errorLike(ValueError, undefined, 'ERR_TASK_DONE'));
  });

  test('Empty and Full as a Queue', async () => {
    const q = await manager.JoinableQueue<number>(1);
    await assert.rejects(q.getNowait(), Empty);
    await q.put(1);
    await assert.rejects(q.put(2, { timeout: 20 }), Full);
  });
});

for (const method of METHODS) {
  describe(`queues across processes ('${method}')`, () => {
    test('two producers and the parent as consumer: every item once', { timeout: 60_000 }, async (t) => {
      const q = await manager.Queue<number>(3); // bounded: the producers wait for the consumer
      const children = startChildren(t, method, [
        [produce, [q, 0, 20]],
        [produce, [q, 100, 20]],
      ]);
      const got: number[] = [];
      for (let i = 0; i < 40; i++) got.push(await q.get({ timeout: LONG }));
      await joinAll(children);
      assert.deepEqual(got.filter((n) => n < 100), Array.from({ length: 20 }, (_, i) => i), 'one producer\'s items in its order');
      assert.deepEqual(got.filter((n) => n >= 100), Array.from({ length: 20 }, (_, i) => 100 + i));
      assert.equal(await q.empty(), true);
    });

    test('a JoinableQueue: two consumers mark every item done; the parent\'s join() returns after the last', { timeout: 60_000 }, async (t) => {
      const q = await manager.JoinableQueue<number>();
      const out = await manager.list<number>();
      for (let i = 0; i < 30; i++) await q.put(i);
      const children = startChildren(t, method, [
        [consumeJoinable, [q, out, 15]],
        [consumeJoinable, [q, out, 15]],
      ]);
      await bounded(q.join(), 'JoinableQueue.join()', 30_000);
      assert.equal(await out.len(), 30, 'join() returned only after every item was marked done');
      await joinAll(children);
      const items = await out.copy();
      assert.deepEqual(items.sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i));
    });

    test('a child blocked in get() receives an item the parent puts later; another times out with Empty', { timeout: 60_000 }, async (t) => {
      const q = await manager.Queue<string>();
      const empty = await manager.Queue<string>();
      const report = await manager.dict<string, unknown>();
      const children = startChildren(t, method, [
        [getOne, [q, report, 'got', LONG]],
        [getOne, [empty, report, 'timeout', 100]],
      ]);
      await eventually(async () => (await report.has('timeout')), 'the timed-out child reported');
      const timedOut = (await report.get('timeout')) as { name: string; message: string };
      assert.equal(timedOut.name, 'Empty');
      assert.match(timedOut.message, /within 100 ms/);
      await q.put('late');
      await joinAll(children);
      assert.equal(await report.get('got'), 'late');
    });
  });
}
