// ProcessPoolExecutor and ThreadPoolExecutor (W2) on both start methods: submit and Future
// (result, exception, done callbacks, cancel, running/done). map, asCompleted and wait:
// map-wait.test.ts; shutdown, initializers and seed 004: shutdown.test.ts. Calls that must stay
// unfinished wait on an Event the test sets (or the cleanup does).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';
import {
  BrokenThreadPool,
  CancelledError,
  Future,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  TimeoutError,
  ValueError,
} from 'multiprocessing-ts';
import {
  add,
  exitAfter,
  fail,
  gated,
  mark,
  square,
  whoAmI,
} from '../fixtures/crash-targets.ts';
import { tempDir } from '../helpers.ts';
import {
  LONG,
  METHODS,
  bounded,
  executorName,
  isError,
  setup,
  started,
} from './_util.ts';

for (const method of METHODS) {
  const kind = executorName(method);

  describe(`${kind}: futures`, () => {
    test('submit: result(), await and exception() give the value; the workers are what the method says', async (t) => {
      const { ex } = setup(t, method, { maxWorkers: 2 });
      const f = ex.submit(square, 7);
      assert.ok(f instanceof Future);
      assert.equal(await f.result(LONG), 49);
      assert.equal(typeof (f as unknown as { then?: unknown }).then, 'undefined', 'a Future is not a thenable (as in Python): for await over asCompleted() yields Futures');
      assert.equal(await f.exception(LONG), null, 'no exception');
      assert.equal(f.done(), true);
      assert.equal(f.running(), false);
      assert.equal(f.cancelled(), false);
      assert.equal(await ex.submit(add, 2, 40).result(LONG), 42, 'several arguments');
      const [pid, tid] = (await ex.submit(whoAmI).result(LONG)).split(':').map(Number);
      if (method === 'thread') {
        assert.equal(pid, process.pid, 'a thread worker runs in this process');
        assert.notEqual(tid, threadId, '… in another thread');
      } else {
        assert.notEqual(pid, process.pid, 'a spawn worker is another process');
      }
    });

    test("a call's error rejects result() and is what exception() gives: name, message, code, own props, the worker's stack", async (t) => {
      const { ex } = setup(t, method, { maxWorkers: 1 });
      const f = ex.submit(fail, 'it broke');
      const error = (await f.exception(LONG)) as Error & { code?: unknown; detail?: unknown };
      assert.ok(error instanceof Error, String(error));
      assert.equal(error.name, 'TaskFailure');
      assert.equal(error.message, 'it broke');
      assert.equal(error.code, 'E_TASK_FAILURE');
      assert.equal(error.detail, 42);
      assert.match(String(error.stack), /crash-targets/, "the worker's stack");
      await assert.rejects(f.result(LONG), (e: unknown) => e === error || (e as Error).message === 'it broke');
      assert.equal(f.done(), true);
      assert.equal(f.cancelled(), false);
      assert.equal(await ex.submit(square, 3).result(LONG), 9, 'the worker goes on');
    });

    test('result(timeout) and exception(timeout) give TimeoutError while the call runs; the call goes on', async (t) => {
      const { ex, gate } = setup(t, method, { maxWorkers: 1 });
      const g = gate();
      const f = ex.submit(gated, g, 'late');
      await assert.rejects(f.result(50), isError(TimeoutError, 'ERR_TIMEOUT'));
      await assert.rejects(f.exception(0), TimeoutError);
      assert.equal(f.done(), false);
      g.set();
      assert.equal(await f.result(LONG), 'late', 'the timeout did not stop the call');
    });

    test('addDoneCallback: called in this process with the future, in order added; at once once done; for a failure too', async (t) => {
      const { ex, gate } = setup(t, method, { maxWorkers: 1 });
      const g = gate();
      const f = ex.submit(gated, g, 'v');
      const calls: string[] = [];
      let seen: { pid: number; main: boolean; same: boolean } | null = null;
      f.addDoneCallback((future) => {
        seen = { pid: process.pid, main: isMainThread, same: future === f };
        calls.push('first');
      });
      f.addDoneCallback(() => calls.push('second'));
      assert.deepEqual(calls, [], 'not before the call is done');
      const settled = new Promise<void>((resolve) => f.addDoneCallback(() => resolve()));
      g.set();
      await bounded(settled, 'the done callbacks');
      assert.deepEqual(calls, ['first', 'second']);
      assert.deepEqual(seen, { pid: process.pid, main: true, same: true }, 'in this process, on its main thread, with the future');
      assert.equal(await f.result(LONG), 'v');

      let atOnce = false;
      f.addDoneCallback(() => {
        atOnce = true;
      });
      assert.equal(atOnce, true, 'a done future calls back before addDoneCallback returns');

      const failed = ex.submit(fail, 'cb');
      const errorSeen = await bounded(
        new Promise<unknown>((resolve) => failed.addDoneCallback((future) => resolve(future.exception(LONG)))),
        'the callback of a failed call',
      );
      assert.equal((errorSeen as Error).message, 'cb');
      assert.throws(() => f.addDoneCallback('nope' as never), TypeError);
    });

    test('running() and done(): a started call is running, not done, and cannot be cancelled', async (t) => {
      const { ex, gate } = setup(t, method, { maxWorkers: 1 });
      const g = gate();
      const f = ex.submit(gated, g, 'ran');
      await started(f, 'the gated call');
      assert.equal(f.done(), false);
      assert.equal(f.cancel(), false, 'a running call cannot be cancelled');
      assert.equal(f.cancelled(), false);
      assert.equal(f.running(), true, 'still running after the refused cancel');
      g.set();
      assert.equal(await f.result(LONG), 'ran');
      assert.equal(f.running(), false);
      assert.equal(f.done(), true);
      assert.equal(f.cancel(), false, 'a finished call cannot be cancelled');
      assert.equal(f.cancelled(), false);
    });

    test('cancel(): calls queued behind a long one are cancelled and never run; result()/exception() reject CancelledError', async (t) => {
      const { ex, gate } = setup(t, method, { maxWorkers: 1 });
      const dir = tempDir(t);
      const ran = join(dir, 'ran');
      writeFileSync(ran, '');
      const g = gate();
      const first = ex.submit(gated, g, 'first');
      await started(first, 'the long call');
      const queued = [1, 2, 3, 4].map((i) => ex.submit(mark, ran, `q${i}`));
      // q1 has been handed to the worker already (it takes calls ahead); q2 and q4 still wait
      // here. Cancelling a handed-over call is the todo test above.
      assert.equal(queued[1].cancel(), true, 'q2 cancelled');
      assert.equal(queued[3].cancel(), true, 'q4 cancelled');
      assert.equal(queued[1].cancel(), true, 'cancelling again still says true');
      for (const f of [queued[1], queued[3]]) {
        assert.equal(f.cancelled(), true);
        assert.equal(f.done(), true);
        assert.equal(f.running(), false);
        await assert.rejects(f.result(LONG), isError(CancelledError, 'ERR_CANCELLED'));
        await assert.rejects(f.exception(LONG), CancelledError);
      }
      let called = false;
      queued[1].addDoneCallback(() => {
        called = true;
      });
      assert.equal(called, true, 'a cancelled future is done: callbacks run at once');
      g.set();
      assert.equal(await first.result(LONG), 'first');
      assert.equal(await queued[0].result(LONG), 'q1');
      assert.equal(await queued[2].result(LONG), 'q3');
      assert.deepEqual(readFileSync(ran, 'utf8').split('\n').filter(Boolean), ['q1', 'q3'], 'the cancelled calls never ran');
      assert.equal(queued[0].cancelled(), false);
    });

    test('cancel() of the call handed to the worker behind a running one: the calls after it still run', async (t) => {
      const { ex, gate } = setup(t, method, { maxWorkers: 1 }, 3000);
      const g = gate();
      const first = ex.submit(gated, g, 'first');
      await started(first, 'the long call');
      const handedOver = ex.submit(square, 1); // the worker takes a second call ahead
      const later = ex.submit(square, 2);
      assert.equal(handedOver.cancel(), true);
      g.set();
      assert.equal(await first.result(LONG), 'first');
      assert.equal(await later.result(3000), 4);
    });
  });
}

describe('ProcessPoolExecutor context option', () => {
  test("ProcessPoolExecutor({ context: 'thread' }) runs calls in threads of this process; a lost one is BrokenThreadPool", async (t) => {
    const ex = new ProcessPoolExecutor({ maxWorkers: 1, context: 'thread' });
    t.after(() => bounded(ex.shutdown({ wait: true, cancelFutures: true }), 'shutdown'));
    assert.equal(Number((await ex.submit(whoAmI).result(LONG)).split(':')[0]), process.pid);
    const lost = await ex.submit(exitAfter, 3, 0).exception(LONG);
    assert.ok(lost instanceof BrokenThreadPool, String(lost));
    assert.equal((lost as BrokenThreadPool).exitcode, 3);
    assert.equal(await ex.submit(square, 12).result(LONG), 144, 'the worker was replaced');
  });

  test('bad options are refused', () => {
    assert.throws(() => new ProcessPoolExecutor({ maxWorkers: 0 }), ValueError);
    assert.throws(() => new ThreadPoolExecutor({ maxWorkers: 1.5 }), ValueError);
    assert.throws(() => new ProcessPoolExecutor({ context: 'fork' as never }), TypeError);
  });
});
