// Timeouts, aborts and kills end the whole process tree; no group outlives this process.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AbortError, PIPE, Popen, TimeoutExpired, run, runSync } from 'multiprocessing-ts/subprocess';
import { alive, fixture, killAll, readPids, tempDir, waitDead } from './_util.js';

/** A shell that records its pid and two grandchildren's pids in `file`, prints, and waits. */
function tree(file: string): string[] {
  return ['sh', '-c', `echo $$ >> ${file}; sleep 30 & echo $! >> ${file}; sleep 30 & echo $! >> ${file}; echo started; wait`];
}

describe('timeout', () => {
  test('run() kills the child and its grandchildren and attaches partial output', async () => {
    const tmp = tempDir();
    try {
      const started = Date.now();
      const error = await run(tree(tmp.path('pids')), { timeout: 300, stdout: PIPE, text: true }).catch(
        (e: unknown) => e,
      );
      assert.ok(error instanceof TimeoutExpired);
      assert.ok(Date.now() - started < 2000, 'returned promptly');
      assert.equal(error.timeout, 300);
      assert.equal(error.killed, true);
      assert.equal(error.stdout, 'started\n');
      assert.equal(error.output, 'started\n');
      assert.equal(error.stderr, null);
      assert.match(error.message, /timed out after 300 ms and was killed with its process tree/);
      const pids = await readPids(tmp.path('pids'), 3);
      assert.equal(pids.length, 3);
      const left = await waitDead(pids, 1000);
      killAll(left);
      assert.deepEqual(left, [], 'no process of the tree survives');
    } finally {
      tmp.remove();
    }
  });

  test('runSync() kills the tree too', async () => {
    const tmp = tempDir();
    try {
      assert.throws(() => runSync(tree(tmp.path('pids')), { timeout: 300, stdout: PIPE }), (e: unknown) => {
        assert.ok(e instanceof TimeoutExpired);
        assert.equal(String(e.stdout), 'started\n');
        return true;
      });
      const pids = await readPids(tmp.path('pids'), 3);
      const left = await waitDead(pids, 1000);
      killAll(left);
      assert.deepEqual(left, []);
    } finally {
      tmp.remove();
    }
  });

  test('killTree: false kills only the child, as Python does', async () => {
    const tmp = tempDir();
    try {
      await assert.rejects(run(tree(tmp.path('pids')), { timeout: 300, killTree: false, stdout: PIPE }), TimeoutExpired);
      const [shell, ...grandchildren] = await readPids(tmp.path('pids'), 3);
      assert.deepEqual(await waitDead([shell], 1000), []);
      assert.ok(grandchildren.every(alive), 'grandchildren outlive the shell');
      killAll(grandchildren);
    } finally {
      tmp.remove();
    }
  });

  test('a timeout of 0 expires at once', async () => {
    await assert.rejects(run(['sleep', '5'], { timeout: 0 }), TimeoutExpired);
  });

  test('a process that finishes in time is not affected', async () => {
    const result = await run(['echo', 'quick'], { timeout: 5000, stdout: PIPE, text: true });
    assert.equal(result.stdout, 'quick\n');
  });
});

describe('AbortSignal', () => {
  test('aborting run() kills the tree and rejects with AbortError', async () => {
    const tmp = tempDir();
    try {
      const controller = new AbortController();
      const pending = run(tree(tmp.path('pids')), { signal: controller.signal, stdout: PIPE, text: true });
      const pids = await readPids(tmp.path('pids'), 3);
      controller.abort(new Error('user cancelled'));
      const error = await pending.catch((e: unknown) => e);
      assert.ok(error instanceof AbortError);
      assert.equal(error.name, 'AbortError');
      assert.equal((error.cause as Error).message, 'user cancelled');
      assert.equal(error.stdout, 'started\n');
      const left = await waitDead(pids, 1000);
      killAll(left);
      assert.deepEqual(left, []);
    } finally {
      tmp.remove();
    }
  });

  test('an already aborted signal starts nothing', async () => {
    const tmp = tempDir();
    try {
      const error = await run(['touch', tmp.path('ran')], { signal: AbortSignal.abort() }).catch((e: unknown) => e);
      assert.ok(error instanceof AbortError);
      assert.ok(!existsSync(tmp.path('ran')));
    } finally {
      tmp.remove();
    }
  });

  test('new Popen() with an already aborted signal throws AbortError and starts nothing', () => {
    assert.throws(() => new Popen(['sleep', '30'], { signal: AbortSignal.abort() }), AbortError);
  });

  test('Popen with signal and killSignal: the tree gets that signal', async () => {
    const controller = new AbortController();
    const proc = new Popen(['sleep', '30'], { signal: controller.signal, killSignal: 'SIGTERM' });
    controller.abort();
    assert.equal(await proc.wait(), -15);
  });

  test('a killSignal the tree ignores is followed by SIGKILL', async () => {
    const started = Date.now();
    const error = await run(['sh', '-c', 'trap "" TERM; echo ready; sleep 30 & wait'], {
      timeout: 200,
      killSignal: 'SIGTERM',
      stdout: PIPE,
    }).catch((e: unknown) => e);
    assert.ok(error instanceof TimeoutExpired);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 2000 && elapsed < 5000, `escalated after the grace period (${elapsed} ms)`);
  });
});

describe('no group outlives this process', () => {
  async function leave(how: 'exit' | 'wait'): Promise<{ parent: ReturnType<typeof spawn>; pids: number[]; remove: () => void }> {
    const tmp = tempDir();
    const file = tmp.path('pids');
    const parent = spawn(process.execPath, [fixture('leave-children.mjs'), how, file], { stdio: 'ignore' });
    await readPids(`${file}.ready`, 1);
    const pids = await readPids(file, 2);
    assert.equal(pids.length, 2);
    return { parent, pids, remove: tmp.remove };
  }

  test('groups still running are killed when this process exits', async () => {
    const { pids, remove } = await leave('exit');
    try {
      const left = await waitDead(pids, 2000);
      killAll(left);
      assert.deepEqual(left, []);
    } finally {
      remove();
    }
  });

  test('SIGTERM to this process is forwarded to the groups, then ends it as usual', async () => {
    const { parent, pids, remove } = await leave('wait');
    try {
      const exited = new Promise<NodeJS.Signals | null>((resolve) => parent.once('exit', (_code, signal) => resolve(signal)));
      parent.kill('SIGTERM');
      assert.equal(await exited, 'SIGTERM');
      const left = await waitDead(pids, 2000);
      killAll(left);
      assert.deepEqual(left, []);
    } finally {
      parent.kill('SIGKILL');
      remove();
    }
  });
});
