// W3: a worker that dies in the middle of a task never hangs the caller. That task fails with
// WorkerLostError (Pool) or BrokenProcessPool / BrokenThreadPool (executors) carrying the
// worker's exit code (and the uncaught error as cause); every other task in flight completes
// with its own result; the worker is replaced and the pool takes new work. On both start
// methods: process.exit(3), SIGKILL of its own process (spawn only: in a thread it would kill
// the test), an uncaught error thrown later from a timer, running out of memory; and a worker
// killed from outside while tasks wait behind it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrokenExecutor, Pool, WorkerLostError, type ProcessPoolExecutor, type StartMethod, type Target } from 'multiprocessing-ts';
import { announced, exhaustMemory, exitAfter, killSelfAfter, slowSquare, square, throwLate } from '../fixtures/crash-targets.ts';
import { exists, fixtures, isDead, tempDir, waitFor } from '../helpers.ts';
import { EXECUTOR_ERROR, LONG, METHODS, bounded, collect, makeExecutor, range, type TestContext } from '../futures/_util.ts';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** A task's outcome, with its rejection handled at once (no unhandled rejection), bounded. */
function outcome(promise: PromiseLike<unknown>, what: string): Promise<Outcome> {
  return bounded(
    Promise.resolve(promise).then(
      (value): Outcome => ({ ok: true, value }),
      (error: unknown): Outcome => ({ ok: false, error }),
    ),
    what,
  );
}

/** What the crash tests need of a Pool or an executor. */
interface Runner {
  readonly name: string;
  run(fn: Target, args: unknown[]): Promise<Outcome>;
  map(fn: Target, items: number[]): Promise<unknown[]>;
  /** The class a lost task fails with. */
  readonly lostClass: abstract new (...args: never[]) => Error;
  readonly pool: Pool | null;
}

const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 64 };

function poolRunner(t: TestContext, method: StartMethod): Runner {
  const pool = new Pool({ processes: 2, context: method, resourceLimits: RESOURCE_LIMITS });
  t.after(() => bounded(pool.terminate(), 'terminate after the test'));
  return {
    name: 'Pool',
    run: (fn, args) => outcome(pool.apply(fn as (...a: unknown[]) => unknown, args), 'a pool task'),
    map: (fn, items) => bounded(pool.map(fn as (x: number) => unknown, items), 'pool.map'),
    lostClass: WorkerLostError,
    pool,
  };
}

function executorRunner(t: TestContext, method: StartMethod): Runner {
  const ex: ProcessPoolExecutor = makeExecutor(method, { maxWorkers: 2, resourceLimits: RESOURCE_LIMITS });
  t.after(() => bounded(ex.shutdown({ wait: true, cancelFutures: true }), 'shutdown after the test'));
  return {
    name: ex.constructor.name,
    run: (fn, args) => outcome(ex.submit(fn as (...a: unknown[]) => unknown, ...args).result(), 'an executor call'),
    map: (fn, items) => collect(ex.map(fn as (x: number) => unknown, items), 'executor.map'),
    lostClass: EXECUTOR_ERROR[method],
    pool: null,
  };
}

interface Crash {
  readonly what: string;
  readonly fn: Target;
  readonly args: unknown[];
  readonly exitcode: Record<'spawn' | 'thread', number>;
  readonly methods: readonly StartMethod[];
  /** The uncaught error the worker reported: [name, message]. */
  readonly cause?: [string, string];
}

const CRASHES: Crash[] = [
  { what: 'process.exit(3)', fn: exitAfter, args: [3, 100], exitcode: { spawn: 3, thread: 3 }, methods: ['spawn', 'thread'] },
  { what: 'SIGKILL of its own process', fn: killSelfAfter, args: [100], exitcode: { spawn: -9, thread: -9 }, methods: ['spawn'] },
  {
    what: 'an uncaught error thrown later from a timer',
    fn: throwLate,
    args: ['late', 100],
    exitcode: { spawn: 1, thread: 1 },
    methods: ['spawn', 'thread'],
    cause: ['TypeError', 'late'],
  },
  // A process over its heap limit aborts (SIGABRT); a worker thread is stopped with exit code 1.
  { what: 'running out of memory (resourceLimits: 64 MB heap)', fn: exhaustMemory, args: [], exitcode: { spawn: -6, thread: 1 }, methods: ['spawn', 'thread'] },
];

/**
 * Four tasks before the crashing one and four after, all in flight together; then checks the
 * lost task's error, the others' results, the replacement and new work.
 */
async function crashScenario(runner: Runner, method: 'spawn' | 'thread', crash: Crash): Promise<void> {
  const names = runner.pool?.processes.map((p) => p.name) ?? [];
  const before = range(4).map((i) => runner.run(slowSquare, [i, 100]));
  const lost = runner.run(crash.fn, crash.args);
  const after = range(4).map((i) => runner.run(slowSquare, [i + 4, 100]));

  const got = await lost;
  assert.equal(got.ok, false, `the crashing task resolved: ${JSON.stringify((got as { value?: unknown }).value)}`);
  const error = (got as { error: unknown }).error as WorkerLostError;
  assert.ok(error instanceof runner.lostClass, `expected ${runner.lostClass.name}, got ${String(error)}`);
  assert.ok(error instanceof WorkerLostError);
  if (runner.pool === null) assert.ok(error instanceof BrokenExecutor);
  assert.equal(error.exitcode, crash.exitcode[method], `exitcode (${error.message})`);
  assert.equal(typeof error.pid, 'number');
  if (method === 'spawn') assert.notEqual(error.pid, process.pid);
  else assert.equal(error.pid, process.pid, 'a thread worker reports this process');
  assert.match(error.workerName, /^(SpawnPoolWorker|ThreadPoolWorker|ProcessPoolExecutor|ThreadPoolExecutor)-\d+$/);
  if (runner.pool !== null) assert.ok(names.includes(error.workerName), `${error.workerName} was one of ${names.join(', ')}`);
  assert.match(error.message, new RegExp(error.workerName));
  if (crash.cause !== undefined) {
    const cause = error.cause as Error;
    assert.ok(cause instanceof Error, `cause: ${String(cause)}`);
    assert.deepEqual([cause.name, cause.message], crash.cause);
  }

  const others = await Promise.all([...before, ...after]);
  assert.deepEqual(others, range(8).map((i) => ({ ok: true, value: i * i })), 'every other task completed with its result');
  assert.deepEqual(await runner.map(square, range(10)), range(10).map((x) => x * x), 'new work afterwards');
  if (runner.pool !== null) {
    const pool = runner.pool;
    assert.ok(await waitFor(() => pool.processes.length === 2, LONG), `the pool has ${pool.processes.length} workers`);
    assert.ok(!pool.processes.some((p) => p.name === error.workerName), 'the lost worker is gone from pool.processes');
  }
  if (method === 'spawn') assert.ok(await waitFor(() => isDead(error.pid!), LONG), `worker ${error.pid} is dead`);
}

for (const method of METHODS) {
  for (const make of [poolRunner, executorRunner]) {
    const label = make === poolRunner ? `Pool on '${method}'` : method === 'thread' ? 'ThreadPoolExecutor' : `ProcessPoolExecutor on '${method}'`;
    describe(`${label}: a worker dies mid-task`, () => {
      for (const crash of CRASHES) {
        if (!crash.methods.includes(method)) continue;
        test(`${crash.what}: that task fails (exitcode ${crash.exitcode[method]}), the others complete, the pool goes on`, async (t) => {
          await crashScenario(make(t, method), method, crash);
        });
      }
    });
  }

  describe(`Pool on '${method}': a worker killed from outside`, () => {
    test('kill() of the worker running a task: that task fails (exitcode -9); the tasks queued behind it complete elsewhere', async (t) => {
      const pool = new Pool({ processes: 2, context: method });
      t.after(() => bounded(pool.terminate(), 'terminate after the test'));
      // Quick tasks first: the workers then take many tasks ahead, so some wait behind the long one.
      assert.deepEqual(await bounded(pool.map(square, range(40), 1), 'warm-up map'), range(40).map((x) => x * x));
      const file = join(tempDir(t), 'who');
      const long = outcome(pool.apply(announced, [file, null, 'not stopped']), 'the long task');
      const queued = range(12).map((i) => outcome(pool.apply(slowSquare, [i, 20]), 'a queued task'));
      assert.ok(await waitFor(() => exists(file), LONG), 'the long task started');
      const name = readFileSync(file, 'utf8');
      const victim = pool.processes.find((p) => p.name === name);
      assert.ok(victim !== undefined, `worker ${name} in ${pool.processes.map((p) => p.name).join(', ')}`);
      victim.kill();

      const got = await long;
      assert.equal(got.ok, false);
      const error = (got as { error: unknown }).error as WorkerLostError;
      assert.ok(error instanceof WorkerLostError, String(error));
      assert.equal(error.exitcode, -9);
      assert.equal(error.workerName, name);
      assert.deepEqual(await Promise.all(queued), range(12).map((i) => ({ ok: true, value: i * i })), 'every queued task completed');
      assert.deepEqual(await bounded(pool.map(square, range(6)), 'map afterwards'), range(6).map((x) => x * x));
      assert.ok(await waitFor(() => pool.processes.length === 2, LONG), 'replaced');
      assert.ok(!pool.processes.includes(victim));
      if (method === 'spawn') assert.ok(await waitFor(() => isDead(victim.pid!), LONG), 'the killed worker is dead');
    });

    test('kill() of an idle worker: it is replaced and the pool goes on', async (t) => {
      const pool = new Pool({ processes: 2, context: method });
      t.after(() => bounded(pool.terminate(), 'terminate after the test'));
      assert.equal(await bounded(pool.apply(square, [3]), 'first task'), 9);
      const victim = pool.processes[0];
      victim.kill();
      assert.equal(await bounded(victim.join(LONG), 'the killed worker'), -9);
      assert.ok(await waitFor(() => pool.processes.length === 2 && !pool.processes.includes(victim), LONG), 'replaced');
      assert.deepEqual(await bounded(pool.map(square, range(8), 1), 'map afterwards'), range(8).map((x) => x * x));
    });
  });
}

/** Runs the OOM driver under `node --max-old-space-size=64` (so its children inherit the flag). */
function runOomDriver(method: StartMethod): Promise<{ report: Record<string, unknown> | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--max-old-space-size=64', '--import', 'tsx', join(fixtures, 'driver-crash-oom.ts'), method],
      { timeout: 60_000, encoding: 'utf8', maxBuffer: 16 << 20 },
      (_error, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        let report: Record<string, unknown> | null = null;
        try {
          report = JSON.parse(line) as Record<string, unknown>;
        } catch {
          // reported below
        }
        resolve({ report, stdout, stderr });
      },
    );
  });
}

describe('callbacks that throw (a map\'s onProgress, applyAsync\'s callback)', () => {
  for (const method of ['spawn', 'thread'] as const) {
    test(`${method}: the map and the call still give their results, the pool goes on, and each error is rethrown apart`, async () => {
      const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', join(fixtures, 'driver-callback-throws.ts'), method], { timeout: 60_000, encoding: 'utf8' }, (_error, out, err) =>
          resolve({ stdout: out, stderr: err }),
        );
      });
      let report: Record<string, unknown> | null = null;
      try {
        report = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
      } catch {
        assert.fail(`no report; stdout: ${stdout}\nstderr: ${stderr.slice(-2000)}`);
      }
      assert.equal(report.error, undefined);
      assert.deepEqual(report.map, range(200).map((x) => x * x));
      assert.equal(report.apply, 9);
      assert.equal(report.after, 16);
      assert.deepEqual(report.uncaught, ['callback boom', 'progress boom']);
      assert.equal(report.progressErrors, 20, 'one per chunk');
    });
  }
});

describe('out of memory under a heap limit inherited from the parent (node --max-old-space-size=64)', () => {
  test("spawn: the workers inherit the flag; the task that runs out of memory fails (SIGABRT, -6), the others complete", async () => {
    const { report, stdout, stderr } = await runOomDriver('spawn');
    assert.ok(report !== null, `no report; stdout: ${stdout}\nstderr: ${stderr.slice(-2000)}`);
    assert.equal(report.error, undefined, JSON.stringify(report.error));
    const lost = report.lost as { ok: boolean; name: string; exitcode: number };
    assert.deepEqual([lost.ok, lost.name, lost.exitcode], [false, 'WorkerLostError', -6], JSON.stringify(lost));
    assert.deepEqual(report.others, range(6).map((i) => ({ ok: true, value: i * i })));
    assert.deepEqual(report.after, { ok: true, value: [1, 4, 9] });
  });

  test(
    'thread: a ThreadPool starts in such a process',
    async () => {
      const { report, stdout, stderr } = await runOomDriver('thread');
      assert.ok(report !== null, `no report; stdout: ${stdout}\nstderr: ${stderr.slice(-2000)}`);
      assert.equal(report.error, undefined, JSON.stringify(report.error));
      const lost = report.lost as { ok: boolean; name: string };
      assert.deepEqual([lost.ok, lost.name], [false, 'WorkerLostError'], JSON.stringify(lost));
      assert.deepEqual(report.others, range(6).map((i) => ({ ok: true, value: i * i })));
    },
  );
});
