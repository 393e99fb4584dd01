// Named shared memory (M2): create, attach by name from children and unrelated processes, errors,
// close/unlink/dispose.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  FileExistsError,
  FileNotFoundError,
  MultiprocessingError,
  SharedMemory,
  ValueError,
  getContext,
  type StartMethod,
} from 'multiprocessing-ts';
import { pathExists, shmWriteByName, shmWriteObject } from '../fixtures/shared-targets.ts';
import { readReport, tempDir, waitFor } from '../helpers.ts';
import { cleanup, leftovers, shmPath, uniqueName } from './_util.ts';

const dist = pathToFileURL(new URL('../../dist/index.js', import.meta.url).pathname).href;

/** Runs an ES module snippet in a plain Node.js process, unrelated to this one (no tsx, no library parent). */
function runUnrelated(code: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', code],
      { env: { ...process.env, ...env, NODE_OPTIONS: '' }, timeout: 30_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: number | string }) | null;
        resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : null, stdout, stderr });
      },
    );
  });
}

describe('SharedMemory in this process', () => {
  test('create with a size: a zeroed segment named mpts_…, in /dev/shm, seen by a second handle', (t) => {
    const memory = cleanup(t, new SharedMemory({ create: true, size: 100 }));
    assert.match(memory.name, /^mpts_[0-9a-f]{16}$/);
    assert.equal(memory.size, 100);
    assert.equal(memory.buf.length, 100);
    assert.ok(memory.buf.every((byte) => byte === 0));
    assert.ok(memory.buffer instanceof SharedArrayBuffer);
    assert.equal(memory.buffer.byteLength, 100);
    assert.ok(existsSync(shmPath(memory.name)));
    assert.equal(statSync(shmPath(memory.name)).size, 100);
    memory.buf.write('hello');
    assert.equal(new Uint8Array(memory.buffer)[0], 'h'.charCodeAt(0), 'buf and buffer are the same memory');

    const other = new SharedMemory(memory.name);
    assert.equal(other.name, memory.name);
    assert.equal(other.size, 100);
    assert.equal(other.buf.toString('latin1', 0, 5), 'hello');
    other.buf[99] = 7;
    assert.equal(memory.buf[99], 7);
    const slashed = new SharedMemory({ name: `/${memory.name}` });
    assert.equal(slashed.name, memory.name);
    assert.equal(slashed.buf[99], 7);
    other.close();
    slashed.close();
    assert.notEqual(cleanup(t, new SharedMemory({ create: true, size: 1 })).name, memory.name, 'fresh names');
  });

  test('sizes that are not page multiples and large sizes are kept exactly', (t) => {
    for (const size of [1, 4095, 4097, 3 * 1024 * 1024 + 5]) {
      const memory = cleanup(t, new SharedMemory({ create: true, size }));
      assert.equal(memory.size, size);
      assert.equal(memory.buf.length, size);
      memory.buf[size - 1] = 255;
      assert.equal(new SharedMemory(memory.name).buf[size - 1], 255);
    }
  });

  test('an explicit name; creating it again is FileExistsError (EEXIST); a missing name is FileNotFoundError (ENOENT)', (t) => {
    const name = uniqueName('explicit');
    const memory = cleanup(t, new SharedMemory({ name, create: true, size: 16 }));
    assert.equal(memory.name, name);
    assert.ok(existsSync(shmPath(name)));
    assert.throws(
      () => new SharedMemory({ name, create: true, size: 16 }),
      (e: unknown) =>
        e instanceof FileExistsError && e instanceof MultiprocessingError && e.code === 'EEXIST' && e.message.includes(name),
    );
    assert.equal(memory.buf.length, 16, 'the failed create left the segment alone');
    const missing = uniqueName('missing');
    for (const attach of [() => new SharedMemory(missing), () => new SharedMemory({ name: missing }), () => new SharedMemory({ name: missing, size: 10 })]) {
      assert.throws(attach, (e: unknown) => e instanceof FileNotFoundError && e.code === 'ENOENT' && e.message.includes(missing));
    }
    assert.ok(!existsSync(shmPath(missing)), 'attaching does not create');
  });

  test('size 0, negative, fractional or not a number, a bad name, or neither name nor create: ValueError', () => {
    for (const size of [0, -1, -4096, 1.5, Number.NaN, Infinity, '10' as never, undefined]) {
      assert.throws(
        () => new SharedMemory({ create: true, size }),
        (e: unknown) => e instanceof ValueError && e.code === 'ERR_VALUE' && /size/.test(e.message),
        String(size),
      );
    }
    for (const name of ['a/b', '', 'sp ace', 'x'.repeat(251), 'ü', '..\u0000', 5 as never]) {
      assert.throws(
        () => new SharedMemory({ name, create: true, size: 8 }),
        (e: unknown) => e instanceof ValueError && /name/.test(e.message),
        JSON.stringify(name),
      );
      assert.throws(() => new SharedMemory({ name }), ValueError, JSON.stringify(name));
    }
    assert.throws(() => new SharedMemory({}), (e: unknown) => e instanceof ValueError && /name/.test(e.message));
    assert.throws(() => new SharedMemory({ size: 10 }), ValueError);
  });

  test("the names '.' and '..' (which shm_open refuses) are ValueErrors too", () => {
    for (const name of ['.', '..']) {
      assert.throws(() => new SharedMemory(name), ValueError, `attach ${name}`);
      assert.throws(() => new SharedMemory({ name, create: true, size: 8 }), ValueError, `create ${name}`);
    }
  });

  test('close(): buf and buffer throw; other handles and the segment live on', (t) => {
    const memory = cleanup(t, new SharedMemory({ create: true, size: 32 }));
    const other = new SharedMemory(memory.name);
    const { buf } = memory;
    memory.close();
    assert.throws(() => memory.buf, (e: unknown) => e instanceof ValueError && e.code === 'ERR_CLOSED' && e.message.includes(memory.name));
    assert.throws(() => memory.buffer, ValueError);
    assert.equal(memory.name, other.name);
    assert.equal(memory.size, 32);
    memory.close(); // twice is harmless
    other.buf.write('still here');
    assert.equal(buf.toString('latin1', 0, 10), 'still here', 'a view taken before close() still maps the memory');
    assert.ok(existsSync(shmPath(memory.name)));
    memory.unlink(); // unlink after close works
    assert.ok(!existsSync(shmPath(memory.name)));
    assert.equal(other.buf.toString('latin1', 0, 10), 'still here');
  });

  test('unlink() removes /dev/shm/<name>; attaching afterwards or unlinking again is FileNotFoundError', (t) => {
    const memory = cleanup(t, new SharedMemory({ create: true, size: 8 }));
    memory.buf[0] = 42;
    const attached = new SharedMemory(memory.name);
    assert.ok(existsSync(shmPath(memory.name)));
    memory.unlink();
    assert.ok(!existsSync(shmPath(memory.name)));
    assert.equal(memory.buf[0], 42, 'the mapping outlives the name');
    attached.buf[1] = 43;
    assert.equal(memory.buf[1], 43);
    assert.throws(() => new SharedMemory(memory.name), (e: unknown) => e instanceof FileNotFoundError && e.code === 'ENOENT');
    assert.throws(() => memory.unlink(), (e: unknown) => e instanceof FileNotFoundError && /unlink/.test(e.message));
    // An attached handle may unlink too (the name is the segment's, not the creator's).
    const second = cleanup(t, new SharedMemory({ create: true, size: 8 }));
    new SharedMemory(second.name).unlink();
    assert.ok(!existsSync(shmPath(second.name)));
  });

  test('`using` closes the handle at the end of the block', (t) => {
    let kept: SharedMemory;
    {
      using memory = new SharedMemory({ create: true, size: 8 });
      cleanup(t, memory);
      kept = memory;
      memory.buf.write('abc');
    }
    assert.throws(() => kept.buf, ValueError);
    assert.ok(existsSync(shmPath(kept.name)), 'dispose closes, it does not unlink');
    {
      using again = new SharedMemory(kept.name);
      assert.equal(again.buf.toString('latin1', 0, 3), 'abc');
    }
    kept.unlink();
  });

  test('an unrelated Node.js process attaches by name and writes; the segment outlives it', async (t) => {
    const memory = cleanup(t, new SharedMemory({ create: true, size: 64 }));
    memory.buf.write('from parent');
    const result = await runUnrelated(
      `import { SharedMemory } from ${JSON.stringify(dist)};
       const m = new SharedMemory(process.env.SHM_NAME);
       console.log('read=' + m.buf.toString('latin1', 0, 11) + ' size=' + m.size);
       m.buf.write('from stranger', 20);
       m.close();`,
      { SHM_NAME: memory.name },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'read=from parent size=64');
    assert.equal(memory.buf.toString('latin1', 20, 33), 'from stranger');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(existsSync(shmPath(memory.name)), 'attaching does not register the segment for cleanup');
  });

  test('an unrelated Node.js process creates a segment (track: false); this process attaches by name', async (t) => {
    const name = uniqueName('stranger');
    t.after(() => {
      try {
        new SharedMemory(name).unlink();
      } catch {
        // gone
      }
    });
    const result = await runUnrelated(
      `import { SharedMemory } from ${JSON.stringify(dist)};
       const m = new SharedMemory({ name: process.env.SHM_NAME, create: true, size: 4096, track: false });
       m.buf.write('made elsewhere');
       try { new SharedMemory({ name: process.env.SHM_NAME, create: true, size: 1 }); } catch (e) { console.log(e.constructor.name + ' ' + e.code); }
       try { new SharedMemory(process.env.SHM_NAME + '_missing'); } catch (e) { console.log(e.constructor.name + ' ' + e.code); }`,
      { SHM_NAME: name },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'FileExistsError EEXIST\nFileNotFoundError ENOENT\n');
    const memory = new SharedMemory(name);
    assert.equal(memory.size, 4096);
    assert.equal(memory.buf.toString('latin1', 0, 14), 'made elsewhere');
    memory.unlink();
    assert.ok(!existsSync(shmPath(name)));
  });
});

for (const method of ['spawn', 'thread'] as const satisfies readonly StartMethod[]) {
  const { Process } = getContext(method);

  describe(`SharedMemory with a '${method}' child`, () => {
    test('the child attaches by name and writes; the segment outlives the child', async (t) => {
      const memory = cleanup(t, new SharedMemory({ create: true, size: 32 }));
      const p = new Process({ target: shmWriteByName, args: [memory.name, 4, 'child wrote'] });
      p.start();
      assert.equal(await p.join(), 0);
      assert.equal(memory.buf.toString('latin1', 4, 15), 'child wrote');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.ok(existsSync(shmPath(memory.name)));
    });

    test('a SharedMemory passed as an argument arrives attached to the same segment', async (t) => {
      const file = join(tempDir(t), 'shm');
      const memory = cleanup(t, new SharedMemory({ create: true, size: 16 }));
      memory.buf.write('hello');
      const p = new Process({ target: shmWriteObject, args: [file, memory, 'HELLO'] });
      p.start();
      assert.equal(await p.join(), 0);
      assert.deepEqual(readReport(file), { name: memory.name, size: 16, isSharedMemory: true, before: 'hello' });
      assert.equal(memory.buf.toString('latin1', 0, 5), 'HELLO');
      assert.equal(memory.buf.readInt32LE(8), -7);
      assert.ok(existsSync(shmPath(memory.name)), 'the child attaching and exiting does not unlink');
    });

    test('after unlink() the child no longer sees the name', async (t) => {
      const file = join(tempDir(t), 'exists');
      const memory = cleanup(t, new SharedMemory({ create: true, size: 8 }));
      memory.unlink();
      const p = new Process({ target: pathExists, args: [file, shmPath(memory.name)] });
      p.start();
      assert.equal(await p.join(), 0);
      assert.equal(readReport(file), false);
    });
  });
}

test('no segment created by this file is left in /dev/shm', async () => {
  await waitFor(() => leftovers().length === 0, 5000);
  assert.deepEqual(leftovers(), []);
});
