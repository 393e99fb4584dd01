// Process (P1–P3, P5, P8) on both start methods, against real children.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import {
  Process,
  ProcessError,
  SerializationError,
  activeChildren,
  cpuCount,
  currentProcess,
  getContext,
  isMainProcess,
  parentProcess,
  type StartMethod,
} from 'multiprocessing-ts';
import {
  Reporter,
  ThreadReporter,
  bootTime,
  busyLoop,
  echoArgs,
  exitWith,
  fail,
  noop,
  reject,
  sleep,
  slowWrite,
  startGrandchild,
  strayTimer,
  unexportedFactory,
  whoAmI,
} from '../fixtures/targets.ts';
import { writeMarker } from '../fixtures/plain.mjs';
import { namesSeen } from '../fixtures/toplevel.ts';
import { fixtures, readReport, tempDir } from '../helpers.ts';

const { writeMarker: writeMarkerCjs } = createRequire(import.meta.url)('../fixtures/common.cjs') as {
  writeMarker: (file: string, text: string) => void;
};

interface WhoAmI {
  name: string;
  pid: number;
  ppid: number;
  daemon: boolean;
  isMain: boolean;
  authkey: Uint8Array;
  parent: { pid: number; name: string; alive: boolean } | null;
  className: string;
  isProcess: boolean;
  same: boolean;
  alive: boolean;
  exitcode: number | null;
  label: unknown;
}

test('the main process knows it is the main process', () => {
  assert.equal(isMainProcess(), true);
  assert.equal(currentProcess().name, 'MainProcess');
  assert.equal(currentProcess().pid, process.pid);
  assert.equal(currentProcess().isAlive(), true);
  assert.equal(parentProcess(), null);
  assert.ok(cpuCount() >= 1);
  assert.equal(currentProcess().authkey.length, 32);
});

for (const method of ['spawn', 'thread', 'forkserver'] as const satisfies readonly StartMethod[]) {
  const { Process: ContextProcess } = getContext(method);

  describe(`start method '${method}'`, () => {
    test('runs the target with its arguments; structured-clone fidelity', async (t) => {
      const file = join(tempDir(t), 'args');
      const error = new TypeError('carried');
      const args = [
        new Map<unknown, unknown>([[1, 'one'], ['nested', { deep: [1, 2, 3] }]]),
        new Set([1n, 2n]),
        new Date(1_700_000_000_000),
        2n ** 70n,
        new Float64Array([1.5, -2.25]),
        new Uint8Array([7, 8, 9]),
        error,
        { a: [null, undefined, 'x'], b: { c: true } },
      ];
      const p = new ContextProcess({ target: echoArgs, args: [file, ...args] });
      p.start();
      assert.equal(await p.join(), 0);
      const got = readReport<unknown[]>(file);
      assert.deepEqual(got.slice(0, 6), args.slice(0, 6));
      assert.ok(got[0] instanceof Map && got[1] instanceof Set && got[2] instanceof Date);
      assert.ok(got[4] instanceof Float64Array && got[5] instanceof Uint8Array);
      const gotError = got[6] as Error;
      assert.ok(gotError instanceof TypeError);
      assert.equal(gotError.message, 'carried');
      assert.equal(gotError.stack, error.stack);
      assert.deepEqual(got[7], args[7]);
    });

    test('a large payload (4 MB of arguments) arrives whole', async (t) => {
      const file = join(tempDir(t), 'large');
      const big = 'x'.repeat(4 << 20);
      const p = new ContextProcess({ target: echoArgs, args: [file, big, new Float64Array(1000).fill(0.5)] });
      p.start();
      assert.equal(await p.join(), 0);
      const [gotBig, gotFloats] = readReport<[string, Float64Array]>(file);
      assert.equal(gotBig, big);
      assert.deepEqual(gotFloats, new Float64Array(1000).fill(0.5));
    });

    test('kwargs arrive as one final options argument', async (t) => {
      const file = join(tempDir(t), 'kwargs');
      const p = new ContextProcess({ target: echoArgs, args: [file, 1], kwargs: { verbose: true } });
      p.start();
      await p.join();
      assert.deepEqual(readReport(file), [1, { verbose: true }]);
    });

    test('the child sees its own name, parent, daemon flag and authkey', async (t) => {
      const file = join(tempDir(t), 'who');
      const p = new ContextProcess({ target: whoAmI, args: [file], name: 'worker-7', daemon: true });
      Object.assign(p, { label: 'tagged' }); // own fields cross, as Python pickles __dict__
      p.start();
      await p.join();
      const me = readReport<WhoAmI>(file);
      assert.equal(me.name, 'worker-7');
      assert.equal(me.isMain, false);
      assert.equal(me.daemon, true);
      assert.deepEqual(me.parent, { pid: process.pid, name: 'MainProcess', alive: true });
      assert.deepEqual(Buffer.from(me.authkey), Buffer.from(currentProcess().authkey));
      assert.equal(me.className, ContextProcess.name);
      assert.equal(me.isProcess, true);
      assert.equal(me.same, true);
      assert.equal(me.alive, true);
      assert.equal(me.exitcode, null);
      assert.equal(me.label, 'tagged');
      if (method !== 'thread') {
        assert.notEqual(me.pid, process.pid);
        assert.equal(me.pid, p.pid);
        assert.equal(me.ppid, process.pid);
      } else {
        assert.equal(me.pid, process.pid);
        assert.equal(p.pid, process.pid);
      }
    });

    test("the child's name is known to its target's module from the top level on", async (t) => {
      const file = join(tempDir(t), 'names');
      const p = new ContextProcess({ target: namesSeen, args: [file], name: 'named-early' });
      p.start();
      assert.equal(await p.join(), 0);
      assert.deepEqual(readReport(file), { atImport: 'named-early', atRun: 'named-early' });
    });

    test('default names count up; a child names its children Process-N:M', async (t) => {
      const dir = tempDir(t);
      const a = new Process({ target: noop });
      const b = new Process({ target: noop });
      const na = Number(/^Process-(\d+)$/.exec(a.name)?.[1]);
      assert.equal(b.name, `Process-${na + 1}`);

      const outer = new ContextProcess({ target: startGrandchild, args: [join(dir, 'child'), join(dir, 'grandchild')] });
      const n = Number(new RegExp(`^${ContextProcess.name}-(\\d+)$`).exec(outer.name)?.[1]);
      assert.ok(n > na + 1);
      outer.start();
      assert.equal(await outer.join(), 0);
      const child = readReport<{ name: string; exitcode: number }>(join(dir, 'child'));
      assert.equal(child.name, `Process-${n}:1`);
      assert.equal(child.exitcode, 0);
      const grandchild = readReport<WhoAmI>(join(dir, 'grandchild'));
      assert.equal(grandchild.name, `Process-${n}:1`);
      assert.equal(grandchild.parent?.name, outer.name);
    });

    test('exit codes: 0, 1 on an uncaught error or rejection, the code given to exit', async () => {
      const ok = new ContextProcess({ target: noop });
      const thrown = new ContextProcess({ target: fail, args: ['expected failure (test)'] });
      const rejected = new ContextProcess({ target: reject, args: ['expected rejection (test)'] });
      const exited = new ContextProcess({ target: exitWith, args: [7] });
      for (const p of [ok, thrown, rejected, exited]) p.start();
      assert.deepEqual(await Promise.all([ok, thrown, rejected, exited].map((p) => p.join())), [0, 1, 1, 7]);
      assert.equal(thrown.exitcode, 1);
      assert.equal(await exited.sentinel, 7);
    });

    test('an async target runs until its promise settles; a stray timer does not keep the child alive', async (t) => {
      const dir = tempDir(t);
      const slow = new ContextProcess({ target: slowWrite, args: [join(dir, 'slow'), 150] });
      const stray = new ContextProcess({ target: strayTimer, args: [join(dir, 'stray')] });
      slow.start();
      stray.start();
      assert.equal(await slow.join(), 0);
      assert.equal(readReport(join(dir, 'slow')), 'done');
      assert.equal(await stray.join(), 0);
      assert.equal(readReport(join(dir, 'stray')), 'returned');
    });

    test('join with a timeout returns null while the child runs; isAlive follows the child', async () => {
      const p = new ContextProcess({ target: sleep, args: [400] });
      assert.equal(p.isAlive(), false);
      assert.equal(p.exitcode, null);
      assert.equal(p.pid, null);
      p.start();
      assert.equal(p.isAlive(), true);
      assert.ok(activeChildren().includes(p));
      assert.equal(await p.join(50), null);
      assert.equal(p.exitcode, null);
      assert.equal(p.isAlive(), true);
      assert.equal(await p.join(10_000), 0);
      assert.equal(p.isAlive(), false);
      assert.ok(!activeChildren().includes(p));
      assert.equal(await p.join(0), 0);
    });

    test('terminate and kill stop a child busy in a CPU loop, with exit codes -15 and -9', async () => {
      const a = new ContextProcess({ target: busyLoop });
      const b = new ContextProcess({ target: busyLoop });
      a.start();
      b.start();
      await sleep(300);
      assert.equal(await a.join(10), null);
      a.terminate();
      b.kill();
      assert.equal(await a.join(), -15);
      assert.equal(await b.join(), -9);
      a.terminate(); // no effect once ended
      assert.equal(a.exitcode, -15);
    });

    test('a subclass runs its own run() with its own fields; its default name is ClassName-N', async (t) => {
      const file = join(tempDir(t), 'sub');
      const Cls = method === 'thread' ? ThreadReporter : Reporter;
      assert.match(new Cls(file, new Map()).name, new RegExp(`^${Cls.name}-\\d+$`));
      const p = new Cls(file, new Map([['y', 2]]), { name: 'custom' });
      p.start();
      assert.equal(await p.join(), 0);
      const got = readReport<{ name: string; pid: number; payload: Map<string, number>; isAlive: boolean }>(file);
      assert.equal(got.name, 'custom');
      assert.deepEqual(got.payload, new Map([['y', 2]]));
      assert.equal(got.isAlive, true);
      assert.equal(got.pid, p.pid);
    });

    test('an unexported subclass fails at start() naming the class', () => {
      const Local = class LocalReporter extends Reporter {};
      const p = new Local('unused', new Map());
      assert.throws(
        () => p.start(),
        (e: unknown) => e instanceof SerializationError && /LocalReporter/.test(e.message) && /not exported/.test(e.message),
      );
    });

    test('targets in plain JavaScript and CommonJS modules, and explicit { module, name } references', async (t) => {
      const dir = tempDir(t);
      const esm = new ContextProcess({ target: writeMarker, args: [join(dir, 'esm'), 'esm'] });
      const cjs = new ContextProcess({ target: writeMarkerCjs, args: [join(dir, 'cjs'), 'x'] });
      const explicit = new ContextProcess({
        target: { module: pathToFileURL(join(fixtures, 'plain.mjs')).href, name: 'writeMarker' },
        args: [join(dir, 'explicit'), 'by reference'],
      });
      const relative = new ContextProcess({
        target: { module: join(fixtures, 'common.cjs'), name: 'writeMarker' },
        args: [join(dir, 'relative'), 'y'],
      });
      for (const p of [esm, cjs, explicit, relative]) p.start();
      for (const p of [esm, cjs, explicit, relative]) assert.equal(await p.join(), 0);
      assert.equal(readFileSync(join(dir, 'esm'), 'utf8'), 'esm');
      assert.equal(readFileSync(join(dir, 'cjs'), 'utf8'), 'cjs:x');
      assert.equal(readFileSync(join(dir, 'explicit'), 'utf8'), 'by reference');
      assert.equal(readFileSync(join(dir, 'relative'), 'utf8'), 'cjs:y');
    });

    test('a target module that fails to import, or a missing export, gives exit code 1', async () => {
      const broken = new ContextProcess({ target: { module: join(fixtures, 'broken-import.mjs'), name: 'never' } });
      const missing = new ContextProcess({ target: { module: join(fixtures, 'plain.mjs'), name: 'nope' } });
      broken.start();
      missing.start();
      assert.equal(await broken.join(), 1);
      assert.equal(await missing.join(), 1);
    });

    test('closures, unexported and bound functions fail at start() with an error naming them', () => {
      function local(): void {}
      const closure = unexportedFactory();
      for (const [target, name] of [
        [local, 'local'],
        [closure, 'inner'],
        [noop.bind(null), 'bound noop'],
        [() => 1, '(anonymous)'],
      ] as const) {
        const p = new ContextProcess({ target });
        assert.throws(
          () => p.start(),
          (e: unknown) =>
            e instanceof SerializationError &&
            e.code === 'ERR_TARGET_NOT_EXPORTED' &&
            e.message.includes(name) &&
            /export/.test(e.message),
        );
        assert.equal(p.isAlive(), false);
        assert.equal(p.pid, null);
      }
    });

    test('arguments that cannot be cloned fail at start() naming where they are', () => {
      const p = new ContextProcess({ target: echoArgs, args: ['x', { callback: () => 1 }] as never });
      assert.throws(
        () => p.start(),
        (e: unknown) => e instanceof SerializationError && /args\[1\]\.callback/.test(e.message) && /function/.test(e.message),
      );
      const q = new ContextProcess({ target: echoArgs, args: ['x', Symbol('s')] as never });
      assert.throws(() => q.start(), SerializationError);
    });

    test('misuse: start twice, join or stop before start, close while running, daemon after start', async () => {
      const fresh = new ContextProcess({ target: noop });
      await assert.rejects(fresh.join(), (e: unknown) => e instanceof ProcessError && e.code === 'ERR_PROCESS_NOT_STARTED');
      assert.throws(() => fresh.terminate(), ProcessError);
      assert.throws(() => fresh.kill(), ProcessError);
      assert.throws(() => fresh.sentinel, ProcessError);

      const p = new ContextProcess({ target: sleep, args: [300] });
      p.start();
      assert.throws(() => p.start(), (e: unknown) => e instanceof ProcessError && /twice/.test(e.message));
      assert.throws(() => p.close(), (e: unknown) => e instanceof ProcessError && /still running/.test(e.message));
      assert.throws(() => { p.daemon = true; }, (e: unknown) => e instanceof ProcessError && /before start/.test(e.message));
      // Python allows renaming a started process: a label on this object only.
      p.name = 'renamed';
      assert.equal(p.name, 'renamed');
      assert.equal(await p.join(), 0);
      p.close();
      p.close(); // closing twice is harmless
      assert.match(String(p), /^<\w*Process name='renamed' pid=null closed>$/);
      assert.throws(() => p.pid, (e: unknown) => e instanceof ProcessError && /closed/.test(e.message));
      assert.throws(() => p.isAlive(), ProcessError);
      assert.throws(() => p.start(), ProcessError);
    });

    test('wrong types are rejected with TypeError', async () => {
      assert.throws(() => new ContextProcess({ target: 42 as never }), TypeError);
      assert.throws(() => new ContextProcess({ target: noop, args: 'x' as never }), TypeError);
      assert.throws(() => new ContextProcess({ target: noop, name: 5 as never }), TypeError);
      assert.throws(() => new ContextProcess({ target: noop, daemon: 'yes' as never }), TypeError);
      assert.throws(() => new ContextProcess({ target: noop, kwargs: 3 as never }), TypeError);
      const p = new ContextProcess({ target: noop });
      p.start();
      await assert.rejects(p.join(-1), TypeError);
      await assert.rejects(p.join(Number.NaN), TypeError);
      await p.join();
    });

    test('a plain Process without a target cannot start', () => {
      const p = new ContextProcess();
      assert.throws(() => p.start(), (e: unknown) => e instanceof ProcessError && /no target/.test(e.message));
    });
  });
}

describe("start method 'forkserver'", () => {
  const { Process: ForkserverProcess } = getContext('forkserver');

  test('a burst of starts all run; once a spare is ready, a start takes it (booted before start())', async (t) => {
    const dir = tempDir(t);
    // One may get the spare, the others start a process of their own.
    const burst = [0, 1, 2, 3].map((i) => new ForkserverProcess({ target: bootTime, args: [join(dir, `burst-${i}`)] }));
    for (const p of burst) p.start();
    assert.deepEqual(await Promise.all(burst.map((p) => p.join())), [0, 0, 0, 0]);
    const pids = burst.map((p, i) => readReport<{ pid: number }>(join(dir, `burst-${i}`)).pid);
    assert.deepEqual(pids, burst.map((p) => p.pid));
    assert.equal(new Set(pids).size, 4);

    let warm = false;
    for (let attempt = 0; attempt < 20 && !warm; attempt++) {
      await sleep(300); // a spare boots in the background
      const file = join(dir, `warm-${attempt}`);
      const before = performance.timeOrigin + performance.now();
      const p = new ForkserverProcess({ target: bootTime, args: [file] });
      p.start();
      assert.equal(await p.join(), 0);
      warm = readReport<{ bootedAt: number }>(file).bootedAt < before;
    }
    assert.ok(warm, 'no start took a spare booted ahead of time');
  });
});
