// Queue and SimpleQueue: the API in one process (FIFO, sizes, timeouts, AbortSignal, close),
// then across processes and threads: payload fidelity and library objects through a queue.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Empty,
  Full,
  JoinableQueue,
  Lock,
  Pipe,
  Queue,
  SimpleQueue,
  Value,
  ValueError,
  getContext,
} from 'multiprocessing-ts';
import {
  describe as describeValue,
  echo,
  getSyncWith,
  give,
  payloads,
  simpleDoubler,
  take,
  timeoutsHere,
  useLibraryObjects,
} from '../fixtures/queue-targets.ts';
import { sleep, waitFor } from '../helpers.ts';
import { LONG, METHODS, drain, isError, joinAll, roughly, start, timed } from './_util.ts';

describe('Queue in one process', () => {
  test('FIFO across every form of put and get; qsize/empty/full of an unbounded queue', async () => {
    const q = new Queue<string | number>();
    assert.equal(q.maxsize, 0);
    assert.equal(q.qsize(), 0);
    assert.equal(q.empty(), true);
    assert.equal(q.full(), false);
    await q.put('a');
    q.putSync('b');
    q.putNowait('c');
    await q.put(4, { block: false });
    q.putSync(5, { timeout: 10 });
    assert.equal(q.qsize(), 5);
    assert.equal(q.empty(), false);
    assert.equal(q.full(), false, 'an unbounded queue is never full');
    assert.equal(await q.get(), 'a');
    assert.equal(q.getSync(), 'b');
    assert.equal(q.getNowait(), 'c');
    assert.equal(await q.get({ block: false }), 4);
    assert.equal(q.getSync({ timeout: 10 }), 5);
    assert.equal(q.qsize(), 0);
    assert.equal(q.empty(), true);
  });

  test('Queue(maxsize): full() at maxsize; putNowait → Full, getNowait → Empty; a get makes room', async () => {
    const q = new Queue<number>(3);
    assert.equal(q.maxsize, 3);
    assert.throws(() => q.getNowait(), isError(Empty, 'ERR_QUEUE_EMPTY'));
    q.putNowait(1);
    q.putNowait(2);
    assert.equal(q.full(), false);
    q.putNowait(3);
    assert.equal(q.full(), true);
    assert.equal(q.qsize(), 3);
    assert.throws(() => q.putNowait(4), isError(Full, 'ERR_QUEUE_FULL'));
    assert.throws(() => q.putSync(4, { block: false }), Full);
    await assert.rejects(q.put(4, { block: false }), Full);
    await assert.rejects(q.put(4, { timeout: 0 }), Full);
    assert.equal(q.qsize(), 3, 'the failed puts added nothing');
    assert.equal(q.getNowait(), 1);
    assert.equal(q.full(), false);
    q.putNowait(4);
    assert.throws(() => q.putNowait(5), Full);
    assert.deepEqual([q.getNowait(), q.getSync({ block: false }), await q.get({ block: false })], [2, 3, 4]);
    assert.equal(q.qsize(), 0);
    assert.equal(q.empty(), true);
  });

  test('get/getSync on an empty queue give Empty after about the timeout; block:false at once', async () => {
    const q = new Queue<number>();
    for (const timeout of [0, 60, 250]) {
      const promised = await timed(() => q.get({ timeout }));
      assert.ok(promised.error instanceof Empty, String(promised.error));
      roughly(promised.ms, timeout, `get({ timeout: ${timeout} })`);
      const sync = await timed(() => q.getSync({ timeout }));
      assert.ok(sync.error instanceof Empty, String(sync.error));
      roughly(sync.ms, timeout, `getSync({ timeout: ${timeout} })`);
    }
    for (const attempt of [() => q.get({ block: false }), () => q.getSync({ block: false }), () => q.getNowait(), () => q.get({ block: false, timeout: 5000 })]) {
      const r = await timed(attempt);
      assert.ok(r.error instanceof Empty, String(r.error));
      assert.ok(r.ms < 100, `block:false waited ${r.ms} ms`);
    }
    // And the queue still works: the timed-out gets left the readers' lock free.
    q.putSync(7);
    assert.equal(q.getNowait(), 7);
  });

  test('put/putSync on a full queue give Full after about the timeout; block:false at once', async () => {
    const q = new Queue<number>(1);
    q.putSync(1);
    for (const timeout of [0, 60, 250]) {
      const promised = await timed(() => q.put(2, { timeout }));
      assert.ok(promised.error instanceof Full, String(promised.error));
      roughly(promised.ms, timeout, `put(item, { timeout: ${timeout} })`);
      const sync = await timed(() => q.putSync(2, { timeout }));
      assert.ok(sync.error instanceof Full, String(sync.error));
      roughly(sync.ms, timeout, `putSync(item, { timeout: ${timeout} })`);
    }
    const r = await timed(() => q.put(2, { block: false, timeout: 5000 }));
    assert.ok(r.error instanceof Full);
    assert.ok(r.ms < 100, `block:false waited ${r.ms} ms`);
    assert.equal(q.qsize(), 1);
    assert.equal(q.getNowait(), 1);
    assert.throws(() => q.getNowait(), Empty, 'nothing from the failed puts');
  });

  test('a put waiting for room completes when a get makes room; a waiting get completes on a put', async () => {
    const q = new Queue<number>(1);
    q.putSync(1);
    let settled = false;
    const pending = q.put(2, { timeout: LONG }).then(() => (settled = true));
    await sleep(50);
    assert.equal(settled, false, 'the put waits while the queue is full');
    assert.equal(await q.get({ timeout: LONG }), 1);
    await pending;
    assert.equal(q.getNowait(), 2);
    const waiting = q.get({ timeout: LONG });
    await sleep(50);
    q.putSync(3);
    assert.equal(await waiting, 3);
  });

  test('an AbortSignal rejects a waiting get with its reason; the queue stays usable', async () => {
    const q = new Queue<number>();
    const controller = new AbortController();
    const pending = q.get({ signal: controller.signal });
    setTimeout(() => controller.abort(new RangeError('stop waiting (test)')), 50);
    await assert.rejects(pending, (e: unknown) => e instanceof RangeError && e.message === 'stop waiting (test)');
    // An aborted signal rejects at once, even with an item there (which stays).
    q.putSync(1);
    await assert.rejects(q.get({ signal: controller.signal }), RangeError);
    assert.equal(q.qsize(), 1);
    assert.equal(q.getNowait(), 1);
    await assert.rejects(q.get({ signal: AbortSignal.timeout(30), timeout: LONG }), (e: unknown) => (e as Error).name === 'TimeoutError');
    // The aborted gets left nothing held: this process and a plain getNowait go on.
    q.putSync(2);
    q.putSync(3);
    assert.equal(q.getNowait(), 2);
    assert.equal(await q.get({ timeout: 100 }), 3);
    assert.equal(q.qsize(), 0);
  });

  test('an AbortSignal rejects a waiting put with its reason; nothing is added; the queue stays usable', async () => {
    const q = new Queue<number>(1);
    q.putSync(1);
    const controller = new AbortController();
    const pending = q.put(2, { signal: controller.signal });
    setTimeout(() => controller.abort(new RangeError('stop putting (test)')), 50);
    await assert.rejects(pending, (e: unknown) => e instanceof RangeError && e.message === 'stop putting (test)');
    await assert.rejects(q.put(3, { signal: AbortSignal.timeout(30) }), (e: unknown) => (e as Error).name === 'TimeoutError');
    await assert.rejects(q.put(4, { signal: controller.signal }), RangeError, 'an aborted signal rejects at once');
    assert.equal(q.qsize(), 1);
    assert.equal(q.getNowait(), 1);
    // Room again: puts go through, and the aborted ones never land.
    await q.put(5, { signal: new AbortController().signal });
    assert.equal(q.full(), true);
    assert.equal(q.getNowait(), 5);
    assert.throws(() => q.getNowait(), Empty);
    // An aborted signal rejects even when there is room.
    await assert.rejects(q.put(6, { signal: controller.signal }), RangeError);
    assert.equal(q.qsize(), 0);
  });

  test('several Promise gets waiting at once in one process each get one distinct item; several waiting puts all land', async () => {
    const q = new Queue<number>();
    const gets = Array.from({ length: 5 }, () => q.get({ timeout: LONG }));
    await sleep(20);
    for (let i = 0; i < 5; i++) q.putSync(i);
    assert.deepEqual((await Promise.all(gets)).sort(), [0, 1, 2, 3, 4]);
    const bounded = new Queue<number>(1);
    bounded.putSync(0);
    const puts = [1, 2, 3].map((i) => bounded.put(i, { timeout: LONG }));
    const got: number[] = [];
    for (let i = 0; i < 4; i++) got.push(await bounded.get({ timeout: LONG }));
    await Promise.all(puts);
    assert.equal(got[0], 0);
    assert.deepEqual(got.slice(1).sort(), [1, 2, 3]);
    assert.equal(bounded.qsize(), 0);
  });

  test('a received typed array, DataView or nested Buffer is a copy: later messages do not change it', {
  }, () => {
    const q = new Queue<unknown>(0, { bufferSize: 4096 });
    const items: Record<string, unknown> = {
      dataView: new DataView(new Uint8Array([9, 8, 7, 6]).buffer),
      uint16: new Uint16Array([5, 6]),
      float64: new Float64Array([1.5, 2.5]),
      int32: new Int32Array([1, 2, 3, 4]),
      nestedBuffer: { b: Buffer.from('abcd') },
      nestedUint8: { u: new Uint8Array([1, 2, 3]) },
    };
    const received = new Map<string, unknown>();
    for (const [name, item] of Object.entries(items)) {
      q.putSync(item);
      received.set(name, q.getSync());
    }
    // Traffic that wraps the 4 KiB ring many times over.
    for (let i = 0; i < 2000; i++) {
      q.putSync('z'.repeat(100));
      q.getSync();
    }
    for (const [name, item] of Object.entries(items)) {
      const got = received.get(name);
      assert.deepStrictEqual(got, item, `${name} changed after later messages`);
      const view = (got as { b?: ArrayBufferView; u?: ArrayBufferView }).b ?? (got as { u?: ArrayBufferView }).u ?? (got as ArrayBufferView);
      assert.equal(view.buffer instanceof SharedArrayBuffer, false, `${name} is a view into shared memory`);
    }
  });

  test('strings with lone surrogates arrive unchanged (as structured clone keeps them)', {
  }, () => {
    const q = new Queue<string>();
    for (const s of ['\ud800', 'a\udc00b', 'x'.repeat(5000) + '\ud800']) {
      q.putSync(s);
      assert.equal(q.getSync(), s);
    }
  });

  test('invalid maxsize or bufferSize → ValueError; a bad timeout or options → TypeError', () => {
    for (const bad of [-1, 1.5, Number.NaN, Infinity, 2 ** 31, '3' as unknown as number]) {
      assert.throws(() => new Queue(bad), ValueError, `maxsize ${String(bad)}`);
      assert.throws(() => new JoinableQueue(bad), ValueError, `JoinableQueue maxsize ${String(bad)}`);
    }
    for (const bad of [1000, 4097, 2048, 0, -4096, 2 ** 31, 1.5, 3 * 4096]) {
      assert.throws(() => new Queue(0, { bufferSize: bad }), ValueError, `bufferSize ${bad}`);
      assert.throws(() => new SimpleQueue({ bufferSize: bad }), ValueError, `SimpleQueue bufferSize ${bad}`);
    }
    const small = new Queue<number>(0, { bufferSize: 4096 });
    small.putSync(1);
    assert.equal(small.getSync(), 1);
    const q = new Queue<number>();
    assert.throws(() => q.getSync({ timeout: -1 }), TypeError);
    assert.throws(() => q.putSync(1, { timeout: Number.NaN }), TypeError);
    assert.equal(q.qsize(), 0, 'a rejected put adds nothing');
  });

  test('close(): put/get on that handle → ValueError ERR_CLOSED; joinThread needs close(); cancelJoinThread is a no-op', async () => {
    const q = new Queue<number>();
    q.putSync(1);
    assert.throws(() => q.joinThread(), isError(ValueError, 'ERR_NOT_CLOSED'));
    assert.equal(q.cancelJoinThread(), undefined);
    q.putSync(2);
    assert.equal(q.getSync(), 1, 'the queue works after cancelJoinThread()');
    assert.throws(() => q.joinThread(), isError(ValueError, 'ERR_NOT_CLOSED'), 'still not closed');
    assert.equal(q.closed, false);
    q.close();
    assert.equal(q.closed, true);
    const closed = isError(ValueError, 'ERR_CLOSED');
    assert.throws(() => q.putSync(3), closed);
    assert.throws(() => q.putNowait(3), closed);
    await assert.rejects(q.put(3), closed);
    assert.throws(() => q.getSync(), closed);
    assert.throws(() => q.getNowait(), closed);
    await assert.rejects(q.get(), closed);
    assert.equal(q.joinThread(), undefined);
    q.close(); // twice is fine
    assert.equal(q.joinThread(), undefined);
    q.cancelJoinThread();
    const r = await timed(() => q.joinThread());
    assert.ok(r.ms < 100);
    // using: disposed at the end of the block.
    let kept: Queue<number>;
    {
      using disposed = new Queue<number>();
      kept = disposed;
      disposed.putSync(1);
    }
    assert.equal(kept.closed, true);
    assert.throws(() => kept.getNowait(), closed);
  });

  test('SimpleQueue: put never waits, get/getSync in order with timeouts, empty(), close()', async () => {
    const q = new SimpleQueue<unknown>();
    assert.equal(q.empty(), true);
    for (let i = 0; i < 1000; i++) q.put(i);
    q.put(Buffer.from('b'));
    q.put({ a: new Map([[1, 2]]) });
    assert.equal(q.empty(), false);
    for (let i = 0; i < 1000; i++) assert.equal(i % 2 ? q.getSync() : await q.get(), i);
    assert.deepEqual(await q.get(), Buffer.from('b'));
    assert.deepEqual(q.getSync({ timeout: 10 }), { a: new Map([[1, 2]]) });
    assert.equal(q.empty(), true);
    const promised = await timed(() => q.get({ timeout: 80 }));
    assert.ok(promised.error instanceof Empty);
    roughly(promised.ms, 80, 'SimpleQueue.get({ timeout: 80 })');
    const sync = await timed(() => q.getSync({ timeout: 80 }));
    assert.ok(sync.error instanceof Empty);
    roughly(sync.ms, 80, 'SimpleQueue.getSync({ timeout: 80 })');
    const controller = new AbortController();
    const pending = q.get({ signal: controller.signal });
    controller.abort(new RangeError('abort (test)'));
    await assert.rejects(pending, RangeError);
    q.put('after');
    assert.equal(q.getSync({ timeout: 100 }), 'after');
    q.close();
    assert.equal(q.closed, true);
    assert.throws(() => q.put(1), isError(ValueError, 'ERR_CLOSED'));
    await assert.rejects(q.get(), isError(ValueError, 'ERR_CLOSED'));
    assert.throws(() => q.getSync(), isError(ValueError, 'ERR_CLOSED'));
  });

  test('the context exposes the same classes', () => {
    for (const method of METHODS) {
      const context = getContext(method);
      const q = new context.Queue<number>(2);
      q.putSync(1);
      assert.equal(q.getSync(), 1);
      assert.ok(new context.JoinableQueue() instanceof Queue);
      const s = new context.SimpleQueue<number>();
      s.put(3);
      assert.equal(s.getSync(), 3);
    }
  });
});

for (const method of METHODS) {
  describe(`Queue across a '${method}' child`, () => {
    for (const mode of ['sync', 'async'] as const) {
      test(`payloads keep their types and values both ways (child uses the ${mode} forms)`, async (t) => {
        const inbox = new Queue();
        const outbox = new Queue();
        const items = payloads();
        const child = start(t, method, echo, [inbox, outbox, items.length, mode]);
        for (const item of items) await inbox.put(item);
        for (const [i, item] of items.entries()) {
          const seenThere = await outbox.get({ timeout: LONG });
          const back = await outbox.get({ timeout: LONG });
          const expected = describeValue(item);
          assert.equal(seenThere, expected, `item ${i} as the child saw it`);
          assert.equal(describeValue(back), expected, `item ${i} back here`);
          assert.deepStrictEqual(back, item, `item ${i}`);
        }
        await joinAll([child]);
        assert.equal(outbox.qsize(), 0);
      });
    }

    test('a Buffer arrives as a Buffer, a Uint8Array as a plain Uint8Array; Errors keep class and message', async (t) => {
      const inbox = new Queue();
      const outbox = new Queue();
      const items = [Buffer.from([1, 2, 3]), new Uint8Array([4, 5, 6]), new TypeError('bad type (test)'), Object.assign(new Error('with code (test)'), { code: 'E_TEST' })];
      const child = start(t, method, echo, [inbox, outbox, items.length, 'sync']);
      for (const item of items) inbox.putSync(item);
      const got = await drain(outbox, 2 * items.length);
      await joinAll([child]);
      const [, buffer, , uint8, , typeError, , withCode] = got as [string, Buffer, string, Uint8Array, string, TypeError, string, Error & { code?: string }];
      assert.ok(Buffer.isBuffer(buffer));
      assert.deepEqual([...buffer], [1, 2, 3]);
      assert.equal(Buffer.isBuffer(uint8), false);
      assert.equal(Object.getPrototypeOf(uint8), Uint8Array.prototype);
      assert.deepEqual([...uint8], [4, 5, 6]);
      assert.ok(typeError instanceof TypeError);
      assert.equal(typeError.message, 'bad type (test)');
      assert.ok(withCode instanceof Error);
      assert.equal(withCode.message, 'with code (test)');
      assert.equal(typeof withCode.stack, 'string');
    });

    test('a Lock, a Value, a Queue and a Connection pass through a queue and work on arrival; a Queue made in the child works here', async (t) => {
      const inbox = new Queue();
      const outbox = new Queue();
      const child = start(t, method, useLibraryObjects, [inbox, outbox]);
      const lock = new Lock();
      assert.equal(lock.acquireSync(), true);
      inbox.putSync(lock);
      assert.deepEqual(await outbox.get({ timeout: LONG }), ['lock free here', false], 'the child sees our hold');
      const value = new Value('i', 21);
      inbox.putSync(value);
      const inner = new Queue<string>();
      inbox.putSync(inner);
      assert.equal(await inner.get({ timeout: LONG }), 'through the inner queue');
      assert.equal(lock.acquireSync({ block: false }), true, 'the child released our hold');
      lock.release();
      assert.equal(value.value, 42, 'the child doubled the Value');
      const [here, there] = Pipe<string>();
      inbox.putSync(there);
      assert.equal(await here.recv({ timeout: LONG }), 'over the pipe');
      here.send('reply');
      assert.deepEqual(await outbox.get({ timeout: LONG }), ['pipe says', 'reply']);
      const mine = (await outbox.get({ timeout: LONG })) as Queue<string>;
      assert.ok(mine instanceof Queue);
      assert.equal(await mine.get({ timeout: LONG }), 'made in the child');
      await mine.put('to the child through its own queue');
      inbox.putSync('bye');
      assert.deepEqual(await outbox.get({ timeout: LONG }), ['ack', 'bye']);
      assert.deepEqual(await outbox.get({ timeout: LONG }), ['mine says', 'to the child through its own queue']);
      await joinAll([child]);
    });

    test('qsize/empty/full here follow what the child puts and takes', async (t) => {
      const q = new Queue<number>(4);
      const putter = start(t, method, give, [q, [1, 2, 3, 4], 'sync']);
      await joinAll([putter]);
      assert.equal(q.qsize(), 4);
      assert.equal(q.full(), true);
      assert.equal(q.empty(), false);
      const results = new Queue();
      const taker = start(t, method, take, [q, 3, results, 'async']);
      assert.deepEqual(await results.get({ timeout: LONG }), [1, 2, 3]);
      await joinAll([taker]);
      assert.equal(q.qsize(), 1);
      assert.equal(q.full(), false);
      assert.equal(q.getNowait(), 4);
      assert.equal(q.empty(), true);
    });

    test('a bounded queue: a child blocked in putSync goes on when this process gets; a child in getSync when it puts', async (t) => {
      const q = new Queue<number>(2);
      const putter = start(t, method, give, [q, [1, 2, 3, 4, 5], 'sync']);
      assert.ok(await waitFor(() => q.qsize() === 2, LONG), 'the child filled the queue');
      await sleep(200);
      assert.equal(q.qsize(), 2, 'the third putSync waits for room');
      assert.equal(putter.exitcode, null);
      assert.deepEqual(await drain(q, 5), [1, 2, 3, 4, 5]);
      await joinAll([putter]);
      const results = new Queue();
      const taker = start(t, method, take, [q, 2, results, 'sync']);
      await sleep(300);
      q.putSync(10);
      await sleep(50);
      await q.put(11);
      assert.deepEqual(await results.get({ timeout: LONG }), [10, 11]);
      await joinAll([taker]);
    });

    test('timeouts in the child: Empty and Full after about the timeout, Nowait forms at once', async (t) => {
      const empty = new Queue<string>();
      const full = new Queue<string>(1);
      full.putSync('occupant');
      const results = new Queue<[string, string, number][]>();
      const child = start(t, method, timeoutsHere, [empty, full, results]);
      const outcomes = await results.get({ timeout: LONG });
      await joinAll([child]);
      const byName = new Map(outcomes.map(([what, name, ms]) => [what, { name, ms }]));
      for (const what of ['getSync 150', 'get 150', 'putSync 150', 'put 150']) {
        const r = byName.get(what)!;
        assert.equal(r.name, what.startsWith('get') ? 'Empty' : 'Full', what);
        roughly(r.ms, 150, what);
      }
      assert.equal(byName.get('getNowait')!.name, 'Empty');
      assert.equal(byName.get('putNowait')!.name, 'Full');
      assert.ok(byName.get('getNowait')!.ms < 100 && byName.get('putNowait')!.ms < 100);
      assert.equal(full.qsize(), 1);
      assert.equal(full.getNowait(), 'occupant');
    });

    test('getSync with a huge timeout (Number.MAX_SAFE_INTEGER, "for ever") waits for an item', {
    }, async (t) => {
      const q = new Queue<string>();
      const results = new Queue<[string, unknown]>();
      const state = new Value('i', 0, { lock: false });
      const child = start(t, method, getSyncWith, [q, { timeout: Number.MAX_SAFE_INTEGER }, state, results]);
      assert.ok(await waitFor(() => state.value === 1, LONG));
      await sleep(200);
      q.putSync('worth the wait');
      assert.deepEqual(await results.get({ timeout: LONG }), ['got', 'worth the wait']);
      await joinAll([child]);
    });

    test('closing this handle does not close the queue for a child', async (t) => {
      const q = new Queue<number>();
      const results = new Queue();
      const child = start(t, method, take, [q, 2, results, 'sync']);
      q.putSync(1);
      const other = new Queue<Queue<number>>();
      other.putSync(q);
      const second = other.getSync(); // a second handle on the same queue, in this process
      q.close();
      assert.throws(() => q.putSync(2), isError(ValueError, 'ERR_CLOSED'));
      second.putSync(2);
      assert.deepEqual(await results.get({ timeout: LONG }), [1, 2]);
      await joinAll([child]);
      assert.equal(second.closed, false);
    });

    test('SimpleQueue through a child, both forms', async (t) => {
      for (const mode of ['sync', 'async'] as const) {
        const inbox = new SimpleQueue<number>();
        const outbox = new SimpleQueue<number>();
        const child = start(t, method, simpleDoubler, [inbox, outbox, 100, mode]);
        for (let i = 0; i < 100; i++) inbox.put(i);
        const got = await drain(outbox, 100);
        assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => 2 * i));
        await joinAll([child]);
        assert.equal(outbox.empty(), true);
      }
    });
  });
}
