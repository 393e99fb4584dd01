// The seeds' Pool programs (Chinese blog posts on Python's multiprocessing.Pool), as tests, on
// both start methods: the synchronous apply loop, apply_async + close + join then get, the
// cases with and without a return value, map over a range, the callback that runs in the main
// process. The programs whose output matters, and the "效率对比", run as programs of their own
// in seeds-programs.test.ts. The seeds sleep 0.5–1 s per task; here 10 ms.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { threadId } from 'node:worker_threads';
import { Pool, getContext, type PoolOptions, type StartMethod } from 'multiprocessing-ts';
import { func1, square, tagged, wahahaPrint, wahahaQuiet, wahahaReturn, whoAmI, work, type Where } from '../fixtures/pool-targets.ts';
import { METHODS, PREFIX, bounded, range, type AfterContext } from './_pool.ts';

function makePool(t: AfterContext, method: StartMethod, options: PoolOptions = {}): Pool {
  const pool = new Pool({ context: method, ...options });
  t.after(() => pool.terminate());
  return pool;
}

/** The identity of a worker as the seeds print it: the pid for processes, the thread for threads. */
const idOf = (method: StartMethod, w: { pid: number; threadId: number }): number => (method === 'spawn' ? w.pid : w.threadId);

for (const method of METHODS) {
  describe(`the seeds' pool programs on '${method}'`, () => {
    test('synchronous apply in a loop (seed 002 进程池的同步调用, 001 pool.apply): results in order, only the pool\'s workers run them', async (t) => {
      const p = makePool(t, method, { processes: 3 });
      const workers = p.processes.map((w) => w.name);
      assert.equal(workers.length, 3, '进程池中从无到有创建三个进程');
      const results: number[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await p.apply(work, [i]); // 同步调用，直到本次任务执行完毕拿到res
        results.push(res);
      }
      assert.deepEqual(results, range(10).map((n) => n ** 2));
      const where: Where[] = [];
      for (let i = 0; i < 5; i++) where.push(await p.apply(whoAmI, [])); // seed 002 fc(i): func%s, pid
      for (const w of where) assert.ok(workers.includes(w.name), `${w.name}: 以后一直是这三个进程在执行任务`);
      if (method === 'spawn') assert.ok(where.every((w) => w.pid !== process.pid));
      p.close();
      await bounded(p.join(), 'join');
    });

    test('apply_async ×10, close, join, then get each (seed 002 进程池的异步调用, 000 apply_async)', async (t) => {
      const p = makePool(t, method, { processes: 3 });
      const resL = range(10).map((i) => p.applyAsync(work, [i]));
      p.close();
      await bounded(p.join(), 'join');
      const got: number[] = [];
      for (const res of resL) got.push(await res.get(0)); // after join every result is there: get(0)
      assert.deepEqual(got, range(10).map((n) => n ** 2));
    });

    test('Pool() with the default size: apply_async ×10, close, join, collect the results (seed 002 回调函数, the last program)', async (t) => {
      const p = makePool(t, method);
      assert.equal(p.processes.length, getContext(method).cpuCount(), 'Pool(): cpu_count() workers');
      const resL = range(10).map((i) => p.applyAsync(work, [i]));
      p.close();
      await bounded(p.join(), 'join'); // 等待进程池中所有进程执行完毕
      const nums: number[] = [];
      for (const res of resL) nums.push(await res.get(0)); // 拿到所有结果
      assert.deepEqual(nums, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
    });

    test('no return value (seed 002 没有返回值的情况): every task is done; get gives undefined (None)', async (t) => {
      const p = makePool(t, method, { processes: 5 });
      const results = range(5).map((i) => p.applyAsync(wahahaPrint, [i, 10, false])); // (the printing: seeds-programs.test.ts)
      p.close(); // 不能再提交新的任务
      await bounded(p.join(), 'join'); // 等待池中的任务都执行完
      for (const r of results) {
        assert.equal(r.ready(), true);
        assert.equal(r.successful(), true);
        assert.equal(await r.get(0), undefined);
      }
    });

    test("with a return value (seed 002 有返回值的情况): get() in submission order gives '*' × i", async (t) => {
      const p = makePool(t, method, { processes: 5 });
      const res1 = [];
      for (let i = 1; i < 5; i++) res1.push(p.applyAsync(wahahaReturn, [i, 10 * (5 - i)])); // later ones finish first
      const got: string[] = [];
      for (const r of res1) got.push(await bounded(r.get(), 'get'));
      assert.deepEqual(got, ['*', '**', '***', '****']);
    });

    test('map over a range (seed 002 map, 000 使用多线程-映射map): results in order, None for a function without one', async (t) => {
      const p = makePool(t, method, { processes: 5 });
      assert.deepEqual(await p.map(wahahaQuiet, range(1, 5)), [undefined, undefined, undefined, undefined]);
      assert.deepEqual(await p.map(square, range(10)), [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
      const def = makePool(t, method);
      const items = await def.map(tagged, range(20)); // seed 000: p = Pool(); p.map(task, range(20))
      assert.deepEqual(items.map(([n]) => n), range(20));
      const names = def.processes.map((w) => w.name);
      for (const [, name] of items) assert.ok(names.includes(name), `${name} is one of the pool's workers`);
      for (const [, name] of items) assert.match(name, new RegExp(`^${PREFIX[method]}-`));
    });

    test('the callback runs in the main process with the result (seed 002 回调函数)', async (t) => {
      const p = makePool(t, method, { processes: 5 });
      let seen: { value: number; pid: number; threadId: number } | undefined;
      let where: { pid: number; threadId: number } | undefined;
      const r = p.applyAsync(func1, [10], {
        callback: (nn) => {
          seen = nn; // func2(nn)
          where = { pid: process.pid, threadId };
        },
      });
      await bounded(r.wait(), 'the task');
      assert.ok(seen !== undefined && where !== undefined, 'the callback ran before wait() resolved');
      assert.equal(seen.value, 100);
      assert.deepEqual(where, { pid: process.pid, threadId }, 'func2 runs in the main process');
      assert.notEqual(idOf(method, seen), idOf(method, where), 'func1 ran in a worker');
    });
  });
}
