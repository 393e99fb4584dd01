// Popen: streams, communicate (with input and timeout), wait, poll, signals, lines(), disposal.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { DEVNULL, PIPE, Popen, STDOUT, TimeoutExpired } from 'multiprocessing-ts/subprocess';
import { alive, killAll, readPids, tempDir, waitDead } from './_util.js';

describe('Popen basics', () => {
  test('pid, returncode (null while running), poll() and wait()', async () => {
    const proc = new Popen(['sh', '-c', 'exit 7']);
    assert.equal(typeof proc.pid, 'number');
    assert.ok(proc.pid > 0);
    assert.equal(proc.returncode, null);
    assert.equal(proc.poll(), null);
    assert.equal(await proc.wait(), 7);
    assert.equal(proc.returncode, 7);
    assert.equal(proc.poll(), 7);
    assert.equal(await proc.wait(), 7, 'waiting again returns the status again');
  });

  test('streams are null unless PIPE', async () => {
    const proc = new Popen(['true'], { stdout: DEVNULL });
    assert.equal(proc.stdin, null);
    assert.equal(proc.stdout, null);
    assert.equal(proc.stderr, null);
    await proc.wait();
  });

  test('stdin / stdout / stderr are Node streams the caller can use directly', async () => {
    const proc = new Popen(['sh', '-c', 'read line; echo "got $line"; echo "err" >&2'], {
      stdin: PIPE,
      stdout: PIPE,
      stderr: PIPE,
    });
    proc.stdin.end('hello\n');
    const [out] = await Promise.all([proc.stdout.toArray(), proc.stderr.resume()]);
    assert.equal(Buffer.concat(out).toString(), 'got hello\n');
    assert.equal(await proc.wait(), 0);
  });

  test('args is kept as given', async () => {
    const proc = new Popen('true');
    assert.equal(proc.args, 'true');
    await proc.wait();
  });
});

describe('communicate', () => {
  test('sends input, closes stdin, returns [stdout, stderr]', async () => {
    const proc = new Popen(['sh', '-c', 'cat; echo done >&2'], { stdin: PIPE, stdout: PIPE, stderr: PIPE });
    const [out, err] = await proc.communicate('some input');
    assert.equal(out.toString(), 'some input');
    assert.equal(err.toString(), 'done\n');
    assert.equal(proc.returncode, 0);
  });

  test('text mode decodes; streams not PIPE give null', async () => {
    const proc = new Popen(['echo', 'text'], { stdout: PIPE, text: true });
    const [out, err] = await proc.communicate();
    assert.equal(out, 'text\n');
    assert.equal(err, null);
  });

  test('stderr STDOUT: one merged stdout stream', async () => {
    const proc = new Popen(['sh', '-c', 'echo a; echo b >&2'], { stdout: PIPE, stderr: STDOUT, text: true });
    assert.equal(proc.stderr, null);
    const [out] = await proc.communicate();
    assert.deepEqual(out.split('\n').sort(), ['', 'a', 'b']);
  });

  test('a timeout raises TimeoutExpired with partial output, the child lives, a later call returns everything', async () => {
    const proc = new Popen(['sh', '-c', 'echo first; sleep 0.6; echo second'], { stdout: PIPE, text: true });
    const error = await proc.communicate(null, { timeout: 200 }).catch((e: unknown) => e);
    assert.ok(error instanceof TimeoutExpired);
    assert.equal(error.killed, false);
    assert.equal(error.stdout, 'first\n');
    assert.match(error.message, /still running/);
    assert.equal(proc.returncode, null);
    assert.ok(alive(proc.pid));
    const [out] = await proc.communicate();
    assert.equal(out, 'first\nsecond\n');
    assert.equal(proc.returncode, 0);
  });

  test('input after communication has started is refused', async () => {
    const proc = new Popen(['cat'], { stdin: PIPE, stdout: PIPE });
    await proc.communicate('x', { timeout: 5000 });
    await assert.rejects(proc.communicate('again'), /after communication has started/);
    const [out] = await proc.communicate();
    assert.equal(out.toString(), 'x', 'a finished communicate returns the same output again');
  });

  test('input without stdin PIPE is refused with a hint', async () => {
    const proc = new Popen(['true']);
    await assert.rejects(proc.communicate('x'), /stdin: PIPE/);
    await proc.wait();
  });

  test('large input and output at once do not deadlock', async () => {
    const data = Buffer.alloc(8 * 1024 * 1024, 'x');
    const proc = new Popen(['sh', '-c', 'cat; cat /dev/null >&2'], { stdin: PIPE, stdout: PIPE, stderr: PIPE });
    const [out] = await proc.communicate(data, { timeout: 20000 });
    assert.equal(out.length, data.length);
  });
});

describe('wait with a timeout', () => {
  test('raises TimeoutExpired and leaves the child running', async () => {
    const proc = new Popen(['sleep', '30']);
    try {
      const error = await proc.wait({ timeout: 100 }).catch((e: unknown) => e);
      assert.ok(error instanceof TimeoutExpired);
      assert.equal(error.killed, false);
      assert.ok(alive(proc.pid));
      assert.equal(proc.poll(), null);
    } finally {
      proc.kill();
      assert.equal(await proc.wait(), -9);
    }
  });

  test('returns the status when the child ends in time', async () => {
    const proc = new Popen(['true']);
    assert.equal(await proc.wait({ timeout: 5000 }), 0);
  });
});

describe('signals', () => {
  test('terminate() sends SIGTERM, kill() SIGKILL, sendSignal() any', async () => {
    const a = new Popen(['sleep', '30']);
    a.terminate();
    assert.equal(await a.wait(), -15);
    const b = new Popen(['sleep', '30']);
    b.kill();
    assert.equal(await b.wait(), -9);
    const c = new Popen(['sh', '-c', 'trap "exit 42" USR1; echo ready; while :; do sleep 0.05; done'], { stdout: PIPE });
    await once(c.stdout, 'data');
    c.sendSignal('SIGUSR1');
    assert.equal(await c.wait(), 42);
  });

  test('kill() reaches the whole process tree', async () => {
    const tmp = tempDir();
    try {
      const file = tmp.path('pids');
      const proc = new Popen(['sh', '-c', `echo $$ >> ${file}; sleep 30 & echo $! >> ${file}; wait`]);
      const pids = await readPids(file, 2);
      proc.kill();
      await proc.wait();
      const left = await waitDead(pids, 1000);
      killAll(left);
      assert.deepEqual(left, []);
    } finally {
      tmp.remove();
    }
  });

  test('signalling a finished process does nothing', async () => {
    const proc = new Popen(['true']);
    await proc.wait();
    proc.kill();
    proc.terminate();
    assert.equal(proc.returncode, 0);
  });
});

describe('lines()', () => {
  test('iterates over stdout lines, \\n and \\r\\n, the last one without newline', async () => {
    const proc = new Popen(['printf', 'one\\ntwo\\r\\n\\nthree'], { stdout: PIPE });
    const lines: string[] = [];
    for await (const line of proc.lines()) lines.push(line);
    assert.deepEqual(lines, ['one', 'two', '', 'three']);
    assert.equal(await proc.wait(), 0);
  });

  test('reads stderr with from: "stderr", decoded with the encoding', async () => {
    const proc = new Popen(['sh', '-c', "printf '\\304\\343\\n' >&2"], { stderr: PIPE, encoding: 'gbk' });
    const lines: string[] = [];
    for await (const line of proc.lines({ from: 'stderr' })) lines.push(line);
    assert.deepEqual(lines, ['你']);
    await proc.wait();
  });

  test('lines arrive while the child runs, and breaking out stops it like | head', async () => {
    const proc = new Popen(['sh', '-c', 'i=0; while :; do i=$((i+1)); echo "line $i"; done'], { stdout: PIPE });
    const lines: string[] = [];
    for await (const line of proc.lines()) {
      lines.push(line);
      if (lines.length === 3) break;
    }
    assert.deepEqual(lines, ['line 1', 'line 2', 'line 3']);
    const status = await proc.wait({ timeout: 5000 });
    assert.ok(status === -13 || status > 0, `ended by the closed pipe (status ${status})`);
  });

  test('lines() needs stdout PIPE', async () => {
    const proc = new Popen(['true']);
    assert.throws(() => proc.lines(), /stdout: PIPE/);
    await proc.wait();
  });
});

describe('await using', () => {
  test('closes the pipes and waits for the child', async () => {
    let pid = 0;
    {
      await using proc = new Popen(['sh', '-c', 'cat > /dev/null; exit 5'], { stdin: PIPE, stdout: PIPE });
      pid = proc.pid;
      proc.stdin.write('data');
    }
    assert.ok(!alive(pid));
  });
});
