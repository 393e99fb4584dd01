// JoinableQueue: taskDone/join/joinSync/unfinishedTasks in one process, then the seeds'
// programs (daemon consumers calling taskDone, producers joined, q.join()) on both start methods.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Full, JoinableQueue, Queue, ValueError, getContext } from 'multiprocessing-ts';
import { cook, eater, markDone } from '../fixtures/queue-targets.ts';
import { sleep } from '../helpers.ts';
import { LONG, METHODS, drain, isError, joinAll, roughly, start, startChildren, timed } from './_util.ts';

describe('JoinableQueue in one process', () => {
  test('every put is unfinished until taskDone(); join() resolves true once all are done', async () => {
    const q = new JoinableQueue<number>();
    assert.ok(q instanceof Queue);
    assert.equal(q.unfinishedTasks, 0);
    assert.equal(await q.join(), true, 'nothing put: join returns at once');
    assert.equal(q.joinSync(), true);
    await q.put(1);
    q.putSync(2);
    q.putNowait(3);
    assert.equal(q.unfinishedTasks, 3);
    assert.equal(q.getSync(), 1);
    assert.equal(q.unfinishedTasks, 3, 'a get does not finish a task');
    let joined: boolean | null = null;
    const joining = q.join({ timeout: LONG }).then((v) => (joined = v));
    q.taskDone();
    assert.equal(q.unfinishedTasks, 2);
    assert.equal(q.getNowait(), 2);
    assert.equal(await q.get(), 3);
    q.taskDone();
    await sleep(30);
    assert.equal(joined, null, 'one task is still unfinished');
    q.taskDone();
    assert.equal(await joining, true);
    assert.equal(q.unfinishedTasks, 0);
    assert.equal(q.joinSync({ timeout: 0 }), true);
  });

  test('taskDone() more often than items put → ValueError ERR_TASK_DONE, and the count stays at 0', () => {
    const q = new JoinableQueue<string>();
    assert.throws(() => q.taskDone(), isError(ValueError, 'ERR_TASK_DONE'));
    q.putSync('a');
    q.putSync('b');
    q.taskDone();
    q.taskDone();
    assert.throws(() => q.taskDone(), isError(ValueError, 'ERR_TASK_DONE'));
    assert.equal(q.unfinishedTasks, 0);
    assert.equal(q.joinSync({ timeout: 0 }), true);
    // The items themselves are still there: taskDone does not take them.
    assert.equal(q.qsize(), 2);
    assert.deepEqual([q.getNowait(), q.getNowait()], ['a', 'b']);
    q.putSync('c');
    assert.equal(q.unfinishedTasks, 1, 'the over-release did not go below zero');
  });

  test('join/joinSync with a timeout return false after about the timeout; an AbortSignal rejects join()', async () => {
    const q = new JoinableQueue<number>();
    q.putSync(1);
    for (const timeout of [0, 100]) {
      const promised = await timed(() => q.join({ timeout }));
      assert.equal(promised.error, undefined);
      assert.equal(promised.value, false);
      roughly(promised.ms, timeout, `join({ timeout: ${timeout} })`);
      const sync = await timed(() => q.joinSync({ timeout }));
      assert.equal(sync.value, false);
      roughly(sync.ms, timeout, `joinSync({ timeout: ${timeout} })`);
    }
    const controller = new AbortController();
    const pending = q.join({ signal: controller.signal });
    setTimeout(() => controller.abort(new RangeError('stop joining (test)')), 30);
    await assert.rejects(pending, (e: unknown) => e instanceof RangeError && e.message === 'stop joining (test)');
    assert.throws(() => q.joinSync({ timeout: -1 }), TypeError);
    await assert.rejects(async () => q.join({ timeout: Number.NaN }), TypeError);
    q.getSync();
    q.taskDone();
    assert.equal(await q.join({ timeout: 100 }), true);
  });

  test('a bounded JoinableQueue: Full on putNowait, and failed puts do not count as unfinished', async () => {
    const q = new JoinableQueue<number>(2);
    q.putNowait(1);
    q.putNowait(2);
    assert.throws(() => q.putNowait(3), isError(Full, 'ERR_QUEUE_FULL'));
    await assert.rejects(q.put(3, { timeout: 20 }), isError(Full, 'ERR_QUEUE_FULL'));
    assert.equal(q.unfinishedTasks, 2);
    q.getSync();
    q.getSync();
    q.taskDone();
    q.taskDone();
    assert.equal(q.joinSync({ timeout: 0 }), true);
  });
});

for (const method of METHODS) {
  describe(`JoinableQueue across '${method}' children`, () => {
    test('the seed: a daemon consumer calls taskDone; the producer is joined; q.join() resolves once all are eaten', async (t) => {
      const q = new JoinableQueue<string>();
      const eaten = new Queue<string>();
      const { Process } = getContext(method);
      const consumer = new Process({ target: eater, args: [q, eaten, 'con', 40, 'sync'], daemon: true });
      assert.equal(consumer.daemon, true);
      const producer = new Process({ target: cook, args: [q, 'pro', '馒头', 10, 40, null] });
      t.after(async () => {
        for (const child of [consumer, producer]) if (child.pid !== null && child.exitcode === null) child.kill();
        await Promise.all([consumer, producer].map((child) => (child.pid === null ? null : child.join(10_000))));
      });
      consumer.start();
      producer.start();
      assert.equal(await producer.join(LONG), 0);
      assert.equal(await q.join({ timeout: LONG }), true);
      // Everything the consumer reported before each taskDone() is here by now.
      assert.equal(eaten.qsize(), 10);
      const lines = await drain(eaten, 10);
      assert.deepEqual(lines, Array.from({ length: 10 }, (_, i) => `con吃了pro馒头${i + 1}`));
      assert.equal(q.unfinishedTasks, 0);
      assert.equal(q.qsize(), 0);
      assert.equal(consumer.exitcode, null, 'the daemon consumer is still waiting for more');
    });

    test('the seed with two producers joining inside and two daemon consumers: join() in each producer resolves true', async (t) => {
      const q = new JoinableQueue<string>();
      const eaten = new Queue<string>();
      const joinedInside = new Queue<[string, boolean]>();
      const consumers = startChildren(t, method, [
        [eater, [q, eaten, 'aoa', 30, 'sync']],
        [eater, [q, eaten, 'kuraki', 30, 'async']],
      ]);
      const producers = startChildren(t, method, [
        [cook, [q, 'alex', 'jiaozi', 10, 30, joinedInside]],
        [cook, [q, 'egon', 'bread', 10, 30, joinedInside]],
      ]);
      await joinAll(producers);
      // A producer returns only after its join(): every item of both is processed by now.
      assert.equal(q.unfinishedTasks, 0);
      assert.equal(eaten.qsize(), 20);
      const got = await drain(joinedInside, 2);
      assert.deepEqual(got.sort(), [['alex', true], ['egon', true]]);
      const lines = await drain(eaten, 20);
      const foods = lines.map((line) => line.slice(line.indexOf('了') + 1)).sort();
      const expected = ['alex', 'egon'].flatMap((name) => Array.from({ length: 10 }, (_, i) => `${name}${name === 'alex' ? 'jiaozi' : 'bread'}${i + 1}`)).sort();
      assert.deepEqual(foods, expected, 'every item eaten once');
      assert.equal(await q.join({ timeout: 100 }), true);
      for (const c of consumers) assert.equal(c.exitcode, null);
    });

    test('join() here waits for a child that calls taskDone; too many taskDone in the child → ValueError ERR_TASK_DONE', async (t) => {
      const q = new JoinableQueue<number>();
      q.putSync(1);
      q.putSync(2);
      assert.equal(await q.join({ timeout: 100 }), false, 'nobody marked anything done');
      const results = new Queue<unknown[]>();
      const child = start(t, method, markDone, [q, 3, results]);
      const outcomes = await results.get({ timeout: LONG });
      await joinAll([child]);
      assert.deepEqual(outcomes.slice(0, 2), ['ok', 'ok']);
      assert.equal((outcomes[2] as { name: string }).name, 'ValueError');
      assert.equal((outcomes[2] as { code: string }).code, 'ERR_TASK_DONE');
      assert.equal(await q.join({ timeout: 100 }), true);
      assert.equal(q.unfinishedTasks, 0);
      assert.equal(q.qsize(), 2, 'the items are still there');
    });
  });
}
