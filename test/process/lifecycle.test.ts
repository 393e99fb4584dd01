// What a user sees from whole programs (P4, P6, P7): tracebacks, the main-module guard,
// daemonic children at exit, start-method rules, and no orphans after SIGKILL of the parent.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fixtures, isDead, runDriver, sleep, tempDir, waitFor } from '../helpers.ts';

for (const method of ['spawn', 'thread'] as const) {
  describe(`programs on '${method}'`, () => {
    test('an uncaught error in a child prints a traceback headed "Process <name>:" and gives exitcode 1', async () => {
      const result = await runDriver('driver-traceback.ts', [method]);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /name=\w*Process-1 exitcode=1/);
      assert.match(result.stderr, /^Process \w*Process-1:\nRangeError: boom from the child\n\s+at fail \(/m);
    });

    test('with the main-module guard, the child runs the target and is not the main process', async () => {
      const result = await runDriver('driver-guarded.ts', [method]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /work ran in guarded, isMainProcess=false\nexitcode=0/);
    });

    test("the parent's Node flags that a child must not inherit are dropped with their separate values", async (t) => {
      // Profiling flags: the child gets none of them (nor their values taken for its script).
      const flags = ['--cpu-prof', '--cpu-prof-interval', '5000', '--cpu-prof-name', 'parent.cpuprofile', '--cpu-prof-dir', tempDir(t)];
      const result = await runDriver('driver-guarded.ts', [method], 30_000, flags);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /work ran in guarded, isMainProcess=false\nexitcode=0/);
    });

    test('output a child writes just before it ends reaches stdout and stderr whole', async () => {
      const bytes = 256 << 10;
      const result = await runDriver('driver-output.ts', [method, String(bytes)]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${'x'.repeat(bytes)}\nend of stdout\nexitcode=0\n`);
      assert.equal(result.stderr, 'end of stderr\n');
    });

    test('daemonic children end with the parent; non-daemonic ones are waited for', async (t) => {
      const marker = join(tempDir(t), 'normal');
      const started = Date.now();
      const result = await runDriver('driver-daemon.ts', [method, marker]);
      assert.equal(result.code, 0, result.stderr);
      // The parent's main code ended first, yet the normal child finished before the parent exited.
      assert.ok(result.stdout.indexOf('main code done') < result.stdout.indexOf('normal done'), result.stdout);
      assert.equal(readFileSync(marker, 'utf8'), 'normal done');
      assert.ok(Date.now() - started < 20_000);
      if (method === 'spawn') {
        const daemonPid = Number(/daemon=(\d+)/.exec(result.stdout)?.[1]);
        assert.ok(await waitFor(() => isDead(daemonPid), 2000), `daemon ${daemonPid} outlived its parent`);
      }
    });
  });
}

test('without the main-module guard the child refuses to start processes while bootstrapping', async () => {
  const result = await runDriver('driver-unguarded.ts');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /exitcode=1/);
  assert.doesNotMatch(result.stdout, /work ran/);
  assert.match(result.stderr, /ProcessError: An attempt was made to start a new process before .* bootstrapping/);
  assert.match(result.stderr, /isMainProcess\(\)/);
});

test("start methods follow Python's rules", async () => {
  const result = await runDriver('driver-start-method.ts');
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout.trim(),
    [
      'initial=null',
      'all=spawn,thread,forkserver',
      'after set=thread',
      'second set: ProcessError',
      'default process pid is ours=true',
      'forced spawn pid differs=true',
      'ctx thread=thread ctx default=spawn',
      'bad context: TypeError',
    ].join('\n'),
  );
});

test('no child outlives a parent killed with SIGKILL, busy or idle, daemonic or not, nor a grandchild', async (t) => {
  const driver = spawn(process.execPath, ['--import', 'tsx', join(fixtures, 'driver-orphans.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => driver.kill('SIGKILL'));
  let output = '';
  driver.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const ready = (): number[] => [...output.matchAll(/ready (\d+)/g)].map((m) => Number(m[1]));
  assert.ok(await waitFor(() => ready().length === 6, 30_000), output);
  const pids = ready();
  await sleep(200); // let the busy ones spin
  for (const pid of pids) assert.equal(isDead(pid), false, `child ${pid} should be running before the parent dies`);
  driver.kill('SIGKILL');
  await sleep(1000);
  const survivors = pids.filter((pid) => !isDead(pid));
  for (const pid of survivors) process.kill(pid, 'SIGKILL'); // clean up before failing
  assert.deepEqual(survivors, [], 'children alive 1 s after their parent was SIGKILLed');
});
