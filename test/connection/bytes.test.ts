// Bytes on a pipe: sendBytes slicing, recvBytes(maxLength), recvBytesInto; and volume: a
// 200 MB Buffer and 100k messages from a child, on both start methods.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { BufferTooShort, EOFError, MessageTooLongError, Pipe, ValueError, type Connection } from 'multiprocessing-ts';
import { patternByte, sendBig, sendMany } from '../fixtures/pipe-targets.ts';
import { sleep } from '../helpers.ts';
import { METHODS, joinAll, start } from '../synchronize/_util.ts';

const isValueError = (code: string) => (e: unknown) => e instanceof ValueError && (e as ValueError).code === code;

function pair(): [Connection<unknown>, Connection<unknown>] {
  return Pipe<unknown>();
}

test('sendBytes(buffer, offset, size) sends exactly that slice; recvBytes/recvBytesSync/recv receive it as a Buffer', async () => {
  const [a, b] = pair();
  const text = Buffer.from('hello, world');
  b.sendBytes(text);
  b.sendBytes(text, 7);
  b.sendBytes(text, 0, 5);
  b.sendBytes(text, 5, 2);
  b.sendBytes(text, text.length); // empty
  b.sendBytes(text, 3, 0); // empty
  b.sendBytes(text.subarray(7, 10)); // a view with its own byteOffset
  assert.deepEqual(await a.recvBytes(), Buffer.from('hello, world'));
  assert.deepEqual(a.recvBytesSync(), Buffer.from('world'));
  assert.deepEqual(await a.recvBytes(100), Buffer.from('hello'));
  assert.deepEqual(await a.recv(), Buffer.from(', '), 'recv() of a sendBytes message: a Buffer');
  const empty = await a.recvBytes();
  assert.ok(Buffer.isBuffer(empty) && empty.length === 0);
  assert.equal((await a.recvBytes(0)).length, 0, 'maxLength 0 takes an empty message');
  assert.deepEqual(await a.recvBytes(3), Buffer.from('wor'), 'maxLength equal to the length is fine');

  // Typed arrays, DataView, ArrayBuffer: offset and size count bytes, as in Python.
  const words = new Uint16Array([0x0102, 0x0304, 0x0506]);
  b.sendBytes(words, 2, 2);
  b.sendBytes(new DataView(words.buffer), 4);
  b.sendBytes(words.buffer, 0, 1);
  const bytesOf = (view: Uint16Array) => Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  assert.deepEqual(await a.recvBytes(), bytesOf(words).subarray(2, 4));
  assert.deepEqual(await a.recvBytes(), bytesOf(words).subarray(4));
  assert.deepEqual(await a.recvBytes(), bytesOf(words).subarray(0, 1));
  a.close();
  b.close();
});

test('sendBytes with a bad offset or size is ValueError and sends nothing; a non-buffer is TypeError', async () => {
  const [a, b] = pair();
  const buf = Buffer.from('0123456789');
  for (const [offset, size] of [[-1, undefined], [11, undefined], [1.5, undefined], [0, 11], [5, 6], [0, -1], [2, 0.5], [Number.NaN, undefined]] as const) {
    assert.throws(() => b.sendBytes(buf, offset, size), ValueError, `offset ${offset}, size ${size}`);
  }
  assert.throws(() => b.sendBytes('text' as unknown as Buffer), TypeError);
  assert.equal(a.pollSync(), false, 'nothing was sent');
  b.sendBytes(buf, 10, 0);
  assert.equal((await a.recvBytes()).length, 0);
  assert.throws(() => a.recvBytesSync(-1), ValueError);
  await assert.rejects(a.recvBytes(1.5), ValueError);
  a.close();
  b.close();
});

test('recvBytes(maxLength) with a longer message: MessageTooLongError, the handle is closed (ERR_CLOSED after); another holder of that end still gets the message', async () => {
  const [a, b] = pair();
  const [carrierIn, carrierOut] = pair();
  carrierOut.send(a);
  const a2 = (await carrierIn.recv()) as Connection<unknown>;
  b.sendBytes(Buffer.from('0123456789'));
  b.send('next');
  await assert.rejects(a.recvBytes(9), (e: unknown) => e instanceof MessageTooLongError && (e as MessageTooLongError).code === 'ERR_MESSAGE_TOO_LONG');
  assert.equal(a.closed, true);
  await assert.rejects(a.recv(), isValueError('ERR_CLOSED'));
  assert.throws(() => a.send('x'), isValueError('ERR_CLOSED'));
  assert.deepEqual(await a2.recvBytes(), Buffer.from('0123456789'), 'the message stayed for the other handle');
  assert.equal(await a2.recv(), 'next');
  // Sync form, on the last handle of that end: then the other side sees it closed.
  b.sendBytes(Buffer.alloc(100));
  assert.throws(() => a2.recvBytesSync(99), MessageTooLongError);
  assert.equal(a2.closed, true);
  assert.throws(() => a2.recvBytesSync(), isValueError('ERR_CLOSED'));
  assert.throws(() => b.send('anyone?'), (e: unknown) => (e as Error).name === 'BrokenPipeError');
  b.close();
  carrierIn.close();
  carrierOut.close();
});

test('recvBytesInto(buf, offset) writes the message at offset, returns its length, touches nothing else', async () => {
  const [a, b] = pair();
  const buf = Buffer.alloc(16, 0xee);
  b.sendBytes(Buffer.from('abcd'));
  assert.equal(await a.recvBytesInto(buf, 3), 4);
  assert.deepEqual(buf, Buffer.concat([Buffer.alloc(3, 0xee), Buffer.from('abcd'), Buffer.alloc(9, 0xee)]));

  b.sendBytes(Buffer.from('XY'));
  assert.equal(a.recvBytesIntoSync(buf), 2, 'offset 0 by default');
  assert.equal(buf.toString('latin1', 0, 2), 'XY');
  assert.equal(buf[2], 0xee);

  // Into a typed array: the offset counts bytes.
  const words = new Uint32Array(4);
  b.sendBytes(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
  assert.equal(await a.recvBytesInto(words, 4), 8);
  assert.deepEqual(Buffer.from(words.buffer), Buffer.from([0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0]));

  // Exactly the room left: fine; an empty message at the very end: 0.
  b.sendBytes(Buffer.from('12345'));
  b.sendBytes(Buffer.alloc(0));
  const ten = Buffer.alloc(10);
  assert.equal(await a.recvBytesInto(ten, 5), 5);
  assert.equal(ten.toString('latin1', 5), '12345');
  assert.equal(await a.recvBytesInto(ten, 10), 0);

  // A subarray view: written relative to the view.
  const backing = Buffer.alloc(8, 0);
  b.sendBytes(Buffer.from('zz'));
  assert.equal(await a.recvBytesInto(backing.subarray(4), 1), 2);
  assert.deepEqual(backing, Buffer.from([0, 0, 0, 0, 0, 0x7a, 0x7a, 0]));

  await assert.rejects(a.recvBytesInto(ten, 11), ValueError);
  await assert.rejects(a.recvBytesInto(ten, -1), ValueError);
  assert.throws(() => a.recvBytesIntoSync(ten, 2.5), ValueError);
  await assert.rejects(a.recvBytesInto(new ArrayBuffer(8) as unknown as Buffer), TypeError);
  a.close();
  b.close();
});

test('recvBytesInto with too little room: BufferTooShort whose .bytes is the whole message, which is consumed', async () => {
  const [a, b] = pair();
  const message = Buffer.from('a message of 26 bytes long');
  b.sendBytes(message);
  b.sendBytes(Buffer.from('0123456789'));
  b.send('after');
  const small = Buffer.alloc(8, 0xee);
  await assert.rejects(a.recvBytesInto(small), (e: unknown) => {
    assert.ok(e instanceof BufferTooShort);
    assert.equal(e.code, 'ERR_BUFFER_TOO_SHORT');
    assert.deepEqual(e.bytes, message);
    return true;
  });
  assert.deepEqual(small, Buffer.alloc(8, 0xee), 'the buffer is untouched');
  // Room from the offset counts: 10 bytes at offset 5 of 14 do not fit.
  assert.throws(() => a.recvBytesIntoSync(Buffer.alloc(14), 5), (e: unknown) => e instanceof BufferTooShort && e.bytes.toString() === '0123456789');
  assert.equal(await a.recv(), 'after', 'both messages were consumed');
  assert.equal(a.closed, false, 'BufferTooShort does not close the handle');
  a.close();
  b.close();
});

function shmChunks(): Map<string, number> {
  const names = readdirSync('/dev/shm').filter((name) => name.startsWith('mpts-q-'));
  return new Map(names.map((name) => [name, 0]));
}

for (const method of METHODS) {
  describe(`volume on '${method}'`, () => {
    test('a 200 MB Buffer from a child arrives whole (length, sample bytes, SHA-256); no mpts-q- segment is left in /dev/shm', { timeout: 120_000 }, async (t) => {
      const before = shmChunks();
      const size = 200 * 1024 * 1024;
      const [a, b] = Pipe<unknown>(false);
      const child = start(t, method, sendBig, [b, size]);
      b.close();
      const started = Date.now();
      const big = (await a.recv({ timeout: 90_000 })) as Buffer;
      const took = Date.now() - started;
      assert.ok(Buffer.isBuffer(big), 'a Buffer arrives');
      assert.equal(big.length, size);
      for (const i of [0, 1, 250, 251, 252, 4095, 4096, 1 << 20, (1 << 20) + 7, size >> 1, size - 252, size - 2, size - 1]) {
        assert.equal(big[i], patternByte(i), `byte ${i}`);
      }
      for (let k = 0; k < 64; k++) {
        const i = Math.floor(Math.random() * size);
        assert.equal(big[i], patternByte(i), `byte ${i}`);
      }
      const digest = await a.recv({ timeout: 30_000 });
      assert.equal(createHash('sha256').update(big).digest('hex'), digest, 'the SHA-256 the child computed');
      await assert.rejects(a.recv({ timeout: 20_000 }), EOFError);
      await joinAll([child]);
      a.close();
      t.diagnostic(`${method}: 200 MB received in ${took} ms`);
      // Segments other test files make come and go; wait for anything new to go.
      let left: string[] = [];
      for (let i = 0; i < 50; i++) {
        left = [...shmChunks().keys()].filter((name) => !before.has(name));
        if (left.length === 0) break;
        await sleep(100);
      }
      assert.deepEqual(left, [], 'new mpts-q- segments left in /dev/shm');
    });

    test('100 000 numbers from a child arrive in order, then EOF', { timeout: 120_000 }, async (t) => {
      const n = 100_000;
      const [a, b] = Pipe<number>(false);
      const child = start(t, method, sendMany, [b, n]);
      b.close();
      let outOfOrder = -1;
      const started = Date.now();
      for (let i = 0; i < n; i++) {
        const got = await a.recv({ timeout: 30_000 });
        if (got !== i && outOfOrder < 0) outOfOrder = i;
      }
      const took = Date.now() - started;
      assert.equal(outOfOrder, -1, `message ${outOfOrder} arrived out of order`);
      await assert.rejects(a.recv({ timeout: 20_000 }), EOFError);
      await joinAll([child]);
      a.close();
      t.diagnostic(`${method}: ${n} messages in ${took} ms`);
    });

    test('100 000 numbers through a small ring (8 KiB: most go through overflow segments) arrive in order', { timeout: 120_000 }, async (t) => {
      const n = 100_000;
      const [a, b] = Pipe<number>(false, { bufferSize: 8192 });
      const child = start(t, method, sendMany, [b, n]);
      b.close();
      let outOfOrder = -1;
      for (let i = 0; i < n; i++) {
        const got = a.recvSync({ timeout: 30_000 });
        if (got !== i && outOfOrder < 0) outOfOrder = i;
      }
      assert.equal(outOfOrder, -1, `message ${outOfOrder} arrived out of order`);
      assert.throws(() => a.recvSync({ timeout: 20_000 }), EOFError);
      await joinAll([child]);
      a.close();
    });
  });
}
