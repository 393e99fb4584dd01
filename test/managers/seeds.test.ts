// The seeds' Manager programs, ported (G1–G2): seed 000's 20 processes under a manager Lock,
// seed 002's 100 processes doing dic['count'] -= 1, seed 004's pool tasks taking a manager
// RLock, and `with Manager() as manager` (await using) with a dict and a list a child fills.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lock, Manager, Pool, ProcessPoolExecutor, ThreadPoolExecutor } from 'multiprocessing-ts';
import { buyTicketTask, decrementCount, fill004, putSquare, seedFunc1, setData001 } from '../fixtures/manager-targets.ts';
import { isDead, tempDir, waitFor } from '../helpers.ts';
import { METHODS, checkNothingLeft, joinAll, managerFor, shmNames, startChildren } from './_util.ts';

const shmBefore = shmNames();
after(() => checkNothingLeft(shmBefore));

for (const method of METHODS) {
  describe(`seed 000: Manager's Value, Array, dict, list and Lock ('${method}')`, () => {
    test("20 processes run func1 under a manager Lock: [21, 22, 23, 24, 25], Value('i', 21), {1: '1', 2: '2'}", { timeout: 120_000 }, async (t) => {
      const manager = await managerFor(t);
      const list1 = await manager.list([1, 2, 3, 4, 5]);
      const value1 = await manager.Value('i', 1);
      const dict1 = await manager.dict<number, string>();
      const lock1 = await manager.Lock();
      const proc = startChildren(t, method, Array.from({ length: 20 }, () => [seedFunc1, [list1, value1, dict1, lock1]] as const));
      await joinAll(proc, 90_000);
      assert.deepEqual(await list1.copy(), [21, 22, 23, 24, 25]);
      assert.equal(await value1.repr(), "Value('i', 21)");
      assert.equal(await value1.get(), 21);
      assert.deepEqual(await dict1.copy(), new Map([[1, '1'], [2, '2']]));
      const array1 = await manager.Array('i', Array.from({ length: 10 }, (_, i) => i));
      assert.equal(await array1.repr(), "array('i', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])");
      assert.equal(await lock1.locked(), false);
    });
  });
}

describe("seed 002: dic['count'] -= 1 under a lock", () => {
  test('one child: {count: 99}', { timeout: 60_000 }, async (t) => {
    const m = await managerFor(t);
    const dic = await m.dict({ count: 100 });
    await joinAll(startChildren(t, 'spawn', [[decrementCount, [dic, await m.Lock()]]]));
    assert.deepEqual(await dic.copy(), new Map([['count', 99]]));
  });

  test("100 threads, the library's own Lock (as the seed): exactly 0", { timeout: 120_000 }, async (t) => {
    const m = await managerFor(t);
    const lock = new Lock();
    const dic = await m.dict({ count: 100 });
    const pLst = startChildren(t, 'thread', Array.from({ length: 100 }, () => [decrementCount, [dic, lock]] as const));
    await joinAll(pLst, 90_000);
    assert.equal(await dic.get('count'), 0);
  });

  test('100 threads, a manager Lock: exactly 0', { timeout: 120_000 }, async (t) => {
    const m = await managerFor(t);
    const lock = await m.Lock();
    const dic = await m.dict({ count: 100 });
    await joinAll(startChildren(t, 'thread', Array.from({ length: 100 }, () => [decrementCount, [dic, lock]] as const)), 90_000);
    assert.equal(await dic.get('count'), 0);
    assert.equal(await lock.locked(), false);
  });

  test('25 spawned processes, a manager Lock: {count: 75}', { timeout: 120_000 }, async (t) => {
    const m = await managerFor(t);
    const lock = await m.Lock();
    const dic = await m.dict({ count: 100 });
    await joinAll(startChildren(t, 'spawn', Array.from({ length: 25 }, () => [decrementCount, [dic, lock]] as const)), 90_000);
    assert.equal(await dic.get('count'), 75);
  });
});

describe("seed 004: a process pool's tasks take a manager RLock (the library's own would do too; Python's cannot)", () => {
  for (const [name, Executor] of [['ProcessPoolExecutor', ProcessPoolExecutor], ['ThreadPoolExecutor', ThreadPoolExecutor]] as const) {
    test(`${name}(3): 10 tasks buy one ticket each from a file of 10, under manager.RLock(): 0 left, every count seen once`, { timeout: 120_000 }, async (t) => {
      const manager = await managerFor(t);
      const file = join(tempDir(t), 'f1.txt');
      writeFileSync(file, '10');
      const lockObject = await manager.RLock();
      const pool = new Executor({ maxWorkers: 3 });
      t.after(() => pool.shutdown({ wait: true, cancelFutures: true }));
      const futures = Array.from({ length: 10 }, () => pool.submit(buyTicketTask, lockObject, file, 15));
      const seen = await Promise.all(futures.map((f) => f.result(60_000)));
      await pool.shutdown();
      assert.equal(readFileSync(file, 'utf8'), '0');
      assert.deepEqual(seen.sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'no two tasks read the same count');
      await assert.rejects(lockObject.release(), /does not hold/, 'every task released it');
    });
  }
});

test('a Pool\'s starmap tasks put on a manager Queue (the usual way to give pool tasks a queue)', { timeout: 60_000 }, async (t) => {
  const manager = await managerFor(t);
  const q = await manager.Queue<number>();
  const pool = new Pool(2);
  t.after(() => pool.terminate());
  const done = await pool.starmap(putSquare, Array.from({ length: 8 }, (_, n) => [q, n] as [typeof q, number]));
  pool.close();
  await pool.join();
  assert.deepEqual(done, [0, 1, 2, 3, 4, 5, 6, 7]);
  const squares: number[] = [];
  while (!(await q.empty())) squares.push(await q.get());
  assert.deepEqual(squares.sort((a, b) => a - b), [0, 1, 4, 9, 16, 25, 36, 49]);
});

describe('with Manager() as manager: await using', () => {
  for (const method of METHODS) {
    test(`seed 004: a child ('${method}') fills d and l; after the block the server is gone`, { timeout: 60_000 }, async (t) => {
      let pid: number | null | undefined;
      let seen: { d: Map<unknown, unknown>; l: number[] } | null = null;
      {
        await using manager = await Manager();
        pid = manager.process?.pid;
        const d = await manager.dict<number | string, unknown>();
        const l = await manager.list<number>();
        await joinAll(startChildren(t, method, [[fill004, [d, l]]]));
        seen = { d: await d.copy(), l: await l.copy() };
      }
      assert.deepEqual(seen.d, new Map<unknown, unknown>([[1, '1'], ['2', 2], [0.25, null]]));
      assert.deepEqual(seen.l, [666]);
      assert.equal(typeof pid, 'number');
      assert.ok(await waitFor(() => isDead(pid as number), 10_000), 'the server process ended with the block');
    });
  }

  test('seed 001: print(d), print(l) before and after the child', { timeout: 60_000 }, async (t) => {
    await using manager = await Manager();
    const d = await manager.dict<number, string | null>();
    const l = await manager.list(Array.from({ length: 5 }, (_, i) => i));
    assert.deepEqual(await d.copy(), new Map());
    assert.deepEqual(await l.copy(), [0, 1, 2, 3, 4]);
    await joinAll(startChildren(t, 'spawn', [[setData001, [d, l]]]));
    assert.deepEqual(await d.copy(), new Map<number, string | null>([[1, '1'], [0.5, null]]));
    assert.deepEqual(await l.copy(), [4, 3, 2, 1, 0]);
  });
});
