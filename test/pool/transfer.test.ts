// W4: buffers moved to thread workers (apply's `transfer`) and back (move()), without a copy;
// process workers get copies, as any argument. Bad input fails at the call.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Lock, Pool, ThreadPool, WorkerLostError, move } from 'multiprocessing-ts';
import { sleepy, square } from '../fixtures/pool-targets.ts';
import { inspectBytes, movedBuffer, movedFloats } from '../fixtures/transfer-targets.ts';
import { bounded, rejection } from '../futures/_util.ts';

const MiB = 1 << 20;

function bytes(size: number): Uint8Array {
  return new Uint8Array(size).fill(1);
}

describe("ThreadPool: transfer moves argument buffers, move() moves results", () => {
  test('a 32 MiB argument is moved: the worker has it all, the caller is left with a detached buffer', async (t) => {
    const pool = new ThreadPool({ processes: 2 });
    t.after(() => bounded(pool.terminate(), 'terminate'));
    const data = bytes(32 * MiB);
    const extra = Buffer.alloc(16 * MiB, 2);
    const seen = await bounded(pool.apply(inspectBytes, [data, extra], { transfer: [data.buffer, extra.buffer] }), 'apply');
    assert.deepEqual(seen, { sum: (32 * MiB) / 4096, length: 32 * MiB, isBuffer: false, extraIsBuffer: true });
    assert.equal(data.byteLength, 0, 'moved, not copied: the caller no longer has it');
    assert.equal(extra.byteLength, 0);
    const viaAsync = bytes(MiB);
    assert.equal((await bounded(pool.applyAsync(inspectBytes, [viaAsync], { transfer: [viaAsync.buffer] }), 'applyAsync')).length, MiB);
    assert.equal(viaAsync.byteLength, 0);
  });

  test('a result marked with move() arrives whole and of its type (Float64Array, Buffer)', async (t) => {
    const pool = new ThreadPool({ processes: 2 });
    t.after(() => bounded(pool.terminate(), 'terminate'));
    const floats = await bounded(pool.apply(movedFloats, [MiB]), 'moved floats');
    assert.ok(floats instanceof Float64Array);
    assert.equal(floats.length, MiB);
    assert.equal(floats[MiB - 1], MiB - 1);
    const big = await bounded(pool.apply(movedBuffer, [4 * MiB, 9]), 'moved Buffer');
    assert.ok(Buffer.isBuffer(big));
    assert.equal(big.length, 4 * MiB);
    assert.equal(big[4 * MiB - 1], 9);
    const small = await bounded(pool.apply(movedBuffer, [5, 3]), 'a small pooled Buffer');
    assert.deepEqual(small, Buffer.alloc(5, 3));
    // Many in flight at once, moved both ways.
    const inputs = Array.from({ length: 50 }, (_, i) => bytes(64 * 1024 + i));
    const sizes = await bounded(Promise.all(inputs.map((b) => pool.apply(inspectBytes, [b], { transfer: [b.buffer] }))), '50 moves');
    assert.deepEqual(sizes.map((s) => s.length), inputs.map((_, i) => 64 * 1024 + i));
  });

  test('a moved task taken back before it starts, and one whose worker is killed first, settle; the pool goes on', async (t) => {
    const pool = new ThreadPool({ processes: 1 });
    t.after(() => bounded(pool.terminate(), 'terminate'));
    await bounded(pool.apply(square, [2]), 'warm-up');
    const busy = pool.apply(sleepy, [400, 'done']);
    const controller = new AbortController();
    const data = bytes(MiB);
    const aborted = pool.apply(inspectBytes, [data], { transfer: [data.buffer], signal: controller.signal });
    controller.abort(new Error('not wanted'));
    assert.equal(((await rejection(aborted, 'the aborted move')) as Error).message, 'not wanted');
    assert.equal(await bounded(busy, 'the busy task'), 'done');
    const again = bytes(MiB);
    assert.equal((await bounded(pool.apply(inspectBytes, [again], { transfer: [again.buffer] }), 'a later move')).length, MiB);

    // Moved arguments go with their worker: a task queued on a killed worker is lost, not re-run elsewhere.
    const long = pool.apply(sleepy, [5000, 'never']);
    const queued = bytes(MiB);
    const lost = pool.apply(inspectBytes, [queued], { transfer: [queued.buffer] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    pool.processes[0].kill();
    assert.ok((await rejection(long, 'the long task')) instanceof WorkerLostError);
    assert.ok((await rejection(lost, 'the queued move')) instanceof WorkerLostError);
    assert.equal(await bounded(pool.apply(square, [7]), 'after the kill'), 49);
  });
});

describe("Pool ('spawn'): transfer and move() copy, as any argument", () => {
  test('the caller keeps its buffer; a move()d result arrives as a copy', async (t) => {
    const pool = new Pool({ processes: 1, context: 'spawn' });
    t.after(() => bounded(pool.terminate(), 'terminate'));
    const data = bytes(4 * MiB);
    const seen = await bounded(pool.apply(inspectBytes, [data], { transfer: [data.buffer] }), 'apply');
    assert.equal(seen.length, 4 * MiB);
    assert.equal(data.byteLength, 4 * MiB, 'still here: a process gets a copy');
    const floats = await bounded(pool.apply(movedFloats, [1000]), 'moved floats');
    assert.ok(floats instanceof Float64Array);
    assert.equal(floats[999], 999);
  });
});

describe('transfer and move(): bad input', () => {
  test('transfer must be an array of ArrayBuffers; with it, arguments are plain data; move() takes buffers', async (t) => {
    const pool = new ThreadPool({ processes: 1 });
    t.after(() => bounded(pool.terminate(), 'terminate'));
    assert.throws(() => pool.apply(square, [1], { transfer: 'x' as never }), { name: 'TypeError', message: /transfer must be an array of ArrayBuffers/ });
    assert.throws(() => pool.apply(square, [1], { transfer: [new SharedArrayBuffer(8)] as never }), /transfer must be an array of ArrayBuffers/);
    const data = bytes(16);
    assert.throws(() => pool.applyAsync(inspectBytes, [data, new Lock() as never], { transfer: [data.buffer] }), /the arguments must be plain data/);
    assert.equal(data.byteLength, 16, 'nothing moved');
    assert.throws(() => move('text' as never), { name: 'TypeError', message: /move\(\): expected an ArrayBuffer/ });
  });
});
