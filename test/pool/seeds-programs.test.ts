// The seeds' Pool programs run as programs of their own, on both start methods: what they print
// and which process prints it (seed 002 "没有返回值的情况", "回调函数"), and the "效率对比"
// (Pool(5).map of 100 trivial calls vs 100 Processes) — plain JavaScript run by plain `node`,
// as compiled code runs: under tsx every new process or thread costs several times more.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fixtures, runDriver } from '../helpers.ts';
import { METHODS, range } from './_pool.ts';

for (const method of METHODS) {
  describe(`the seeds' pool programs on '${method}', run as programs`, () => {
    test('no return value, as a program: each line printed once (the seed: 进程池中不是乱的)', async () => {
      const { code, stdout, stderr } = await runDriver('driver-pool-seeds.ts', [method, 'wahaha']);
      assert.equal(code, 0, stderr);
      const lines = stdout.split('\n');
      assert.equal(lines.at(-2), 'joined');
      assert.deepEqual(lines.slice(0, -2).sort(), ['', '*', '**', '***', '****'], stdout);
    });

    test('the callback, as a program: in func1 (worker), in func2 (main), 100', async () => {
      const { code, stdout, stderr } = await runDriver('driver-pool-seeds.ts', [method, 'callback']);
      assert.equal(code, 0, stderr);
      const lines = stdout.trim().split('\n');
      assert.equal(lines.length, 5, stdout);
      const [, mainPid, mainThread] = lines[0].split(' ').map(Number);
      assert.match(lines[0], /^main \d+ \d+$/);
      // A worker thread's console output reaches this process's stdout through its event loop,
      // asynchronously: on 'thread' it may come after the callback's lines (a process's does not).
      const rest = method === 'spawn' ? lines.slice(1) : [...lines.slice(1, -1).sort(), lines.at(-1)!];
      const f1 = rest[method === 'spawn' ? 0 : 1].match(/^in func1 (\d+) (\d+)$/);
      const f2 = rest[method === 'spawn' ? 1 : 2].match(/^in func2 (\d+) (\d+)$/);
      assert.ok(f1 && f2, stdout);
      assert.deepEqual([Number(f2[1]), Number(f2[2])], [mainPid, mainThread], 'func2 in the main process');
      if (method === 'spawn') assert.notEqual(Number(f1[1]), mainPid, 'func1 in another process');
      else assert.notEqual(Number(f1[2]), mainThread, 'func1 in another thread');
      assert.ok(lines.includes('100'), stdout);
      if (method === 'spawn') assert.deepEqual(lines.slice(3), ['100', 'joined']);
      assert.equal(lines.at(-1), 'joined');
    });

    test('效率对比 (seed 002): Pool(5).map of 100 trivial calls vs 100 Processes; both complete with the same results', async (t) => {
      // The program is plain JavaScript run by plain `node`, as compiled code runs.
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, [join(fixtures, 'driver-pool-efficiency.mjs'), method], { timeout: 100_000, encoding: 'utf8' }, (error, out, err) =>
          error === null ? resolve(out) : reject(new Error(`the driver failed: ${error.message}\n${err}`)),
        );
      });
      const report = JSON.parse(stdout) as {
        poolMs: number;
        processMs: number;
        viaPool: unknown[];
        exitcodes: (number | null)[];
        viaProcesses: number[];
        squares: number[];
      };
      assert.deepEqual(report.viaPool, range(100).map(() => 'undefined'), 'pool.map(func, range(100)): 100 × None');
      assert.deepEqual(report.exitcodes, range(100).map(() => 0), 'every process exited with 0');
      assert.deepEqual(report.squares, range(100).map((n) => n * n));
      assert.deepEqual(report.viaProcesses, report.squares, 'the same results from 100 Processes as from the pool');
      t.diagnostic(`${method}: Pool(5) + map ${(report.poolMs / 1000).toFixed(3)} s, 100 Processes ${(report.processMs / 1000).toFixed(3)} s`);
    });
  });
}

for (const method of METHODS) {
  describe(`a failed pool task's promise on '${method}'`, () => {
    test('nobody handles it: an unhandled rejection, as for any promise; by default the program fails', async () => {
      const unhandled = await runDriver('driver-pool-unhandled.ts', [method, 'unhandled']);
      assert.equal(unhandled.code, 0, unhandled.stderr);
      // (Reported after the microtasks of the drain that rejected it: before or after the next result.)
      assert.deepEqual(unhandled.stdout.trim().split('\n').sort(), ['done', 'square: 49', 'unhandled: unhandled boom']);
      assert.ok(unhandled.stdout.endsWith('done\n'), unhandled.stdout);
      const crash = await runDriver('driver-pool-unhandled.ts', [method, 'crash']);
      assert.equal(crash.code, 1, crash.stdout);
      assert.match(crash.stderr, /crash boom/);
    });

    test('handled: no unhandled rejection', async () => {
      const handled = await runDriver('driver-pool-unhandled.ts', [method, 'handled']);
      assert.equal(handled.code, 0, handled.stderr);
      assert.equal(handled.stdout, 'caught: handled boom\nsquare: 49\ndone\n');
    });
  });
}
