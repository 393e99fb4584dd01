// Pool (W1), the end of a pool, on both start methods: close() then join(), terminate(), use
// after close, join() before close, `await using`, and the constructor's checks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncResult, CancelledError, Pool, SerializationError, Value, ValueError } from 'multiprocessing-ts';
import { add, block, countInit, sleepy, square } from '../fixtures/pool-targets.ts';
import { waitFor } from '../helpers.ts';
import { LONG, METHODS, bounded, isError, makePool, range } from './_pool.ts';

for (const method of METHODS) {
  describe(`Pool on '${method}': close, join, terminate`, () => {
    test('close() then join() waits for the queued tasks; their results are ready after join', async (t) => {
      const pool = makePool(t, method);
      const results = range(6).map((i) => pool.applyAsync(sleepy, [20, i]));
      pool.close();
      await bounded(pool.join(), 'join');
      assert.deepEqual(results.map((r) => r.ready()), range(6).map(() => true), 'every result is there once join() resolves');
      assert.deepEqual(await Promise.all(results.map((r) => r.get(0))), range(6));
      assert.equal(pool.processes.length, 0, 'the workers exited');
    });

    test('close() of an idle pool: join() resolves and the workers exit; join() before close() rejects ERR_POOL_RUNNING', async (t) => {
      const pool = makePool(t, method);
      const workers = pool.processes;
      assert.equal(await pool.apply(square, [2]), 4);
      await assert.rejects(pool.join(), isError(ValueError, 'ERR_POOL_RUNNING'));
      assert.equal(await pool.apply(square, [3]), 9, 'still running after the failed join');
      pool.close();
      pool.close(); // twice is fine
      await bounded(pool.join(), 'join');
      assert.deepEqual(workers.map((w) => w.exitcode), [0, 0], 'the workers exited normally');
      assert.equal(pool.processes.length, 0);
      await bounded(pool.join(), 'a second join');
    });

    test('terminate(): running and queued tasks reject with CancelledError ERR_POOL_TERMINATED; the workers stop', async (t) => {
      const pool = makePool(t, method);
      const started = new Value('i', 0);
      const workers = pool.processes;
      const results = range(5).map(() => pool.applyAsync(block, [started]));
      assert.ok(await waitFor(() => started.value === 2, LONG), 'both workers are running a task');
      await bounded(pool.terminate(), 'terminate');
      for (const r of results) {
        assert.equal(r.ready(), true);
        await assert.rejects(r.get(0), isError(CancelledError, 'ERR_POOL_TERMINATED'));
      }
      assert.equal(started.value, 2, 'the queued tasks never ran');
      assert.equal(pool.processes.length, 0);
      assert.ok(workers.every((w) => w.exitcode !== null), 'every worker has ended');
      assert.throws(() => pool.applyAsync(square, [1]), isError(ValueError, 'ERR_POOL_NOT_RUNNING'));
      await bounded(pool.terminate(), 'terminate again');
      await bounded(pool.join(), 'join after terminate');
    });

    test('after close(): every way to submit throws ValueError ERR_POOL_NOT_RUNNING', async (t) => {
      const pool = makePool(t, method);
      pool.close();
      const notRunning = isError(ValueError, 'ERR_POOL_NOT_RUNNING');
      assert.throws(() => pool.applyAsync(square, [1]), notRunning);
      assert.throws(() => pool.mapAsync(square, [1]), notRunning);
      assert.throws(() => pool.starmapAsync(add, [[1, 2]]), notRunning);
      assert.throws(() => pool.imap(square, [1]), notRunning);
      assert.throws(() => pool.imapUnordered(square, [1]), notRunning);
      await assert.rejects(async () => pool.apply(square, [1]), notRunning);
      await assert.rejects(async () => pool.map(square, [1]), notRunning);
      await assert.rejects(async () => pool.starmap(add, [[1, 2]]), notRunning);
      await bounded(pool.join(), 'join');
    });

    test('await using: the pool is terminated at the end of the block', async () => {
      let escaped: Pool;
      let pending: AsyncResult<unknown>;
      {
        await using pool = new Pool({ processes: 2, context: method });
        escaped = pool;
        assert.equal(await pool.apply(square, [5]), 25);
        pending = pool.applyAsync(sleepy, [LONG, 1]);
      }
      assert.equal(escaped.processes.length, 0, 'no workers after the block');
      await assert.rejects(pending.get(0), isError(CancelledError, 'ERR_POOL_TERMINATED'));
      assert.throws(() => escaped.applyAsync(square, [1]), isError(ValueError, 'ERR_POOL_NOT_RUNNING'));
    });

    test('bad options to the constructor: processes 0 → ValueError, and the like', () => {
      const P = Pool as unknown as new (options: unknown) => Pool;
      for (const processes of [0, -1, 1.5, '2']) {
        assert.throws(() => new P({ processes, context: method }), isError(ValueError), `processes ${String(processes)}`);
      }
      assert.throws(() => new P(0), isError(ValueError), 'new Pool(0)');
      assert.throws(() => new P({ processes: 1, context: method, maxtasksperchild: 0 }), isError(ValueError));
      assert.throws(() => new P({ processes: 1, context: method, initializer: 'countInit' }), TypeError);
      assert.throws(() => new P({ processes: 1, context: method, initializer: countInit, initargs: 'x' }), TypeError);
      assert.throws(() => new P({ processes: 1, context: 'fork-ish' }), TypeError);
      assert.throws(() => new P({ processes: 1, context: method, initializer: (): void => {} }), isError(SerializationError, 'ERR_TARGET_NOT_EXPORTED'));
    });
  });
}
