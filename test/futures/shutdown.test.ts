// ProcessPoolExecutor and ThreadPoolExecutor (W2) on both start methods: shutdown (wait,
// cancelFutures), `await using`, initializers (a failing one breaks the executor), and the
// programs of seed 004's process pool section (进程池): submit ×10 then shutdown(True),
// add_done_callback in the main process, a Lock around a file-based ticket counter.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import {
  BrokenExecutor,
  CancelledError,
  Lock,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  ValueError,
  WorkerLostError,
  type Future,
  type UnknownTarget,
} from 'multiprocessing-ts';
import { failingInit, gated, readInit, rememberInit, slowSquare, square, takeTicket, whoAmI } from '../fixtures/crash-targets.ts';
import { isDead, tempDir } from '../helpers.ts';
import {
  EXECUTOR_ERROR,
  LONG,
  METHODS,
  bounded,
  executorName,
  isError,
  range,
  setup,
  started,
} from './_util.ts';

// `initializer: fn as UnknownTarget`: the constructors take ExecutorOptions<UnknownTarget>, so an
// initializer with typed parameters does not type-check without the cast (a typing problem, reported).
for (const method of METHODS) {
  const Broken = EXECUTOR_ERROR[method];
  const kind = executorName(method);

  describe(`${kind}: shutdown and initializers`, () => {
    test('shutdown({ wait: true }) waits for every pending call and for the workers; then submit and map throw ERR_EXECUTOR_SHUTDOWN', async (t) => {
      const { ex } = setup(t, method, { maxWorkers: 2 });
      const futures = range(8).map((i) => ex.submit(slowSquare, i, 30));
      const who = range(4).map(() => ex.submit(whoAmI));
      await bounded(ex.shutdown({ wait: true }), 'shutdown');
      assert.deepEqual(futures.map((f) => f.done()), futures.map(() => true), 'every call done when shutdown resolves');
      assert.deepEqual(await Promise.all(futures.map((f) => f.result(LONG))), range(8).map((i) => i * i));
      if (method === 'spawn') {
        for (const w of who) {
          const pid = Number((await w.result(LONG)).split(':')[0]);
          assert.equal(isDead(pid), true, `worker ${pid} exited`);
        }
      }
      assert.throws(() => ex.submit(square, 1), isError(ValueError, 'ERR_EXECUTOR_SHUTDOWN'));
      assert.throws(() => ex.map(square, [1]), isError(ValueError, 'ERR_EXECUTOR_SHUTDOWN'));
      await bounded(ex.shutdown(), 'a second shutdown');
    });

    test('shutdown({ wait: false }) resolves at once; the calls still finish', async (t) => {
      const { ex, gate } = setup(t, method, { maxWorkers: 1 });
      const g = gate();
      const held = ex.submit(gated, g, 'held');
      const after = ex.submit(square, 9);
      await bounded(ex.shutdown({ wait: false }), 'shutdown({ wait: false })');
      assert.equal(held.done(), false, 'resolved before the calls finished');
      assert.throws(() => ex.submit(square, 1), isError(ValueError, 'ERR_EXECUTOR_SHUTDOWN'));
      g.set();
      assert.equal(await held.result(LONG), 'held');
      assert.equal(await after.result(LONG), 81, 'a pending call still ran');
      await bounded(ex.shutdown({ wait: true }), 'then waiting');
    });

    test('shutdown({ cancelFutures: true }) cancels the calls not started; the running one finishes', async (t) => {
      const { ex, gate } = setup(t, method, { maxWorkers: 1 }, 2000);
      const g = gate();
      const running = ex.submit(gated, g, 'running');
      await started(running, 'the long call');
      const queued = range(4).map((i) => ex.submit(square, i));
      const done = ex.shutdown({ wait: true, cancelFutures: true });
      for (const f of queued) {
        assert.equal(f.cancelled(), true);
        await assert.rejects(f.result(LONG), CancelledError);
      }
      assert.equal(running.cancelled(), false);
      g.set();
      assert.equal(await running.result(LONG), 'running');
      await bounded(done, 'shutdown', 5000);
    });

    test('await using: the executor is shut down (waiting) at the end of the block', async () => {
      let futures: Future<number>[];
      let kept: ProcessPoolExecutor;
      const block = async (): Promise<void> => {
        await using ex = method === 'thread' ? new ThreadPoolExecutor(2) : new ProcessPoolExecutor({ maxWorkers: 2, context: method });
        kept = ex;
        futures = range(6).map((i) => ex.submit(slowSquare, i, 20));
      };
      await bounded(block(), 'the await using block');
      assert.deepEqual(futures!.map((f) => f.done()), futures!.map(() => true));
      assert.deepEqual(await Promise.all(futures!.map((f) => f.result(LONG))), range(6).map((i) => i * i));
      assert.throws(() => kept.submit(square, 1), isError(ValueError, 'ERR_EXECUTOR_SHUTDOWN'));
    });

    test('initializer(...initargs) runs in every worker before its calls', async (t) => {
      const { ex } = setup(t, method, { maxWorkers: 2, initializer: rememberInit as UnknownTarget, initargs: [{ greeting: 'hello' }] });
      const values = await Promise.all(range(6).map(() => ex.submit(readInit).result(LONG)));
      assert.deepEqual(values, range(6).map(() => ({ greeting: 'hello' })));
    });

    test(`a failing initializer breaks the executor: every future fails with ${Broken.name} (cause: the error); later submits throw it`, async (t) => {
      const { ex } = setup(t, method, { maxWorkers: 2, initializer: failingInit as UnknownTarget, initargs: ['no init for you'] });
      const futures = range(5).map((i) => ex.submit(square, i));
      for (const f of futures) {
        const error = (await f.exception(LONG)) as Error;
        assert.ok(error instanceof Broken, `${String(error)}`);
        assert.ok(error instanceof BrokenExecutor);
        assert.ok(error instanceof WorkerLostError);
        const cause = error.cause as Error;
        assert.ok(cause instanceof Error, `cause: ${String(cause)}`);
        assert.equal(cause.name, 'RangeError');
        assert.equal(cause.message, 'no init for you');
      }
      assert.throws(() => ex.submit(square, 1), Broken, 'a later submit throws the broken error');
      await bounded(ex.shutdown({ wait: true }), 'shutdown of a broken executor');
    });
  });

  describe(`${kind}: seed 004 (进程池)`, () => {
    test('pool.submit(task, i) ×10 returns at once; shutdown(True) waits for all ten', async (t) => {
      const { ex } = setup(t, method, { maxWorkers: 4 });
      const futures = range(10).map((i) => ex.submit(slowSquare, i, 100));
      assert.equal(futures.filter((f) => f.done()).length, 0, 'submit does not wait');
      await bounded(ex.shutdown({ wait: true }), 'shutdown(True)');
      assert.equal(futures.filter((f) => f.done()).length, 10);
      assert.deepEqual(await Promise.all(futures.map((f) => f.result(LONG))), range(10).map((i) => i * i));
    });

    test('fur.add_done_callback(done): done runs in the main process and reads res.result()', async (t) => {
      const { ex } = setup(t, method, { maxWorkers: 4 });
      const seen: { pid: number; main: boolean; result: unknown }[] = [];
      const callbacks: Promise<void>[] = [];
      for (const i of range(10)) {
        const fut = ex.submit(slowSquare, i, 20);
        callbacks.push(
          new Promise<void>((resolve) => {
            fut.addDoneCallback((res) => {
              void res.result(LONG).then((result) => {
                seen.push({ pid: process.pid, main: isMainThread, result });
                resolve();
              });
            });
          }),
        );
      }
      await bounded(ex.shutdown({ wait: true }), 'shutdown(True)');
      await bounded(Promise.all(callbacks), 'the callbacks');
      assert.equal(seen.length, 10);
      for (const s of seen) assert.deepEqual([s.pid, s.main], [process.pid, true], 'done() ran in the main process');
      assert.deepEqual(seen.map((s) => s.result as number).sort((a, b) => a - b), range(10).map((i) => i * i));
    });

    test('a Lock passed to the tasks serialises the file-based ticket counter (no Manager needed)', async (t) => {
      const { ex } = setup(t, method, { maxWorkers: 4 });
      const file = join(tempDir(t), 'f1.txt');
      writeFileSync(file, '10');
      const lock = new Lock();
      const futures = range(10).map(() => ex.submit(takeTicket, lock, file, 20));
      const read = await Promise.all(futures.map((f) => f.result(LONG)));
      assert.equal(readFileSync(file, 'utf8'), '0', 'ten tickets taken, none lost');
      assert.deepEqual(read.sort((a, b) => b - a), [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 'each task read a different count');
    });
  });
}
