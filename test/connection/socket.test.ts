// SocketConnection over TCP, an abstract Unix socket (the default address) and a socket file:
// values and bytes both ways, order, big messages, recvBytes/recvBytesInto limits, sendBytes
// offsets, EOF, close, timeouts, AbortSignals, poll. (The wire format: socket-wire.test.ts.)
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  BrokenPipeError,
  BufferTooShort,
  Client,
  EOFError,
  MessageTooLongError,
  Pipe,
  SerializationError,
  SocketConnection,
  TimeoutError,
  ValueError,
} from 'multiprocessing-ts';
import { inspect } from 'node:util';
import { sleep, waitFor } from '../helpers.ts';
import { KINDS, LONG, assertNothingLeft, isError, listen, pair, shmSegments } from './_socket.ts';

const isEOF = isError(EOFError, 'ERR_EOF');
const isClosed = isError(ValueError, 'ERR_CLOSED');
const isEPIPE = isError(BrokenPipeError, 'EPIPE');
const isTimeout = isError(TimeoutError, 'ERR_TIMEOUT');

let shmBefore: Set<string>;
before(() => {
  shmBefore = shmSegments();
});

/** Values that must come back equal (assert.deepStrictEqual: prototypes, NaN, -0 included). */
function manyValues(): unknown[] {
  const cyclic: { name: string; self?: unknown; list: unknown[] } = { name: 'cyclic', list: [] };
  cyclic.self = cyclic;
  cyclic.list.push(cyclic);
  return [
    'plain',
    '',
    'emoji 😀👩‍👩‍👧 and CJK 漢字',
    'lone surrogates \uD800 and \uDFFF, reversed pair \uDC00\uD83D',
    '€'.repeat(300_000),
    0,
    -0,
    NaN,
    Infinity,
    2 ** 53 + 2,
    2n ** 100n,
    -(2n ** 64n),
    true,
    null,
    undefined,
    [1, 'two', [3, [4, undefined, null]]],
    { nested: { deep: { deeper: [new Date(0), { x: 1 }] } }, 'key with spaces': 1 },
    new Map<unknown, unknown>([
      ['a', 1],
      [2, new Set([1, 'x', 3n])],
      [{ objectKey: true }, new Map([[null, undefined]])],
    ]),
    new Set([new Date(86_400_000), 'x', 1n]),
    new Date('2024-02-29T12:34:56.789Z'),
    new Uint8Array([0, 1, 255]),
    new Int16Array([-32768, 32767]),
    new Float64Array([Math.PI, -0, NaN]),
    new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]),
    Buffer.from('a Buffer stays a Buffer'),
    new ArrayBuffer(5),
    /regexp/giu,
    cyclic,
  ];
}

for (const kind of KINDS) {
  describe(`SocketConnection over ${kind}`, () => {
    test('values of many kinds cross both ways and come back equal (Map, Set, Date, BigInt, typed arrays, Buffers, cycles, strings with emoji and lone surrogates)', async (t) => {
      const { server, client } = await pair(t, kind);
      const values = manyValues();
      for (const value of values) client.send(value);
      for (const value of values) server.send(value);
      for (const [i, value] of values.entries()) {
        assert.deepStrictEqual(await server.recv({ timeout: LONG }), value, `value ${i} client → server`);
        assert.deepStrictEqual(await client.recv({ timeout: LONG }), value, `value ${i} server → client`);
      }
      // Strings are not mangled by an encoding step: the exact UTF-16 code units come back.
      const odd = '\uD800x\uDBFF\uDFFF\uDFFF😀';
      client.send(odd);
      const back = (await server.recv({ timeout: LONG })) as string;
      assert.deepEqual([...back].map((c) => c.codePointAt(0)), [...odd].map((c) => c.codePointAt(0)));
      assert.equal(await server.poll(), false, 'nothing else was sent');
    });

    test('Errors cross as Errors: class, message, stack and cause', async (t) => {
      const { server, client } = await pair(t, kind);
      const cause = new TypeError('the cause');
      const error = new RangeError('out of range', { cause });
      client.send(error);
      client.send(new Error('plain'));
      const got = (await server.recv({ timeout: LONG })) as RangeError;
      assert.ok(got instanceof RangeError, `a RangeError, got ${inspect(got)}`);
      assert.equal(got.message, 'out of range');
      assert.match(got.stack ?? '', /RangeError: out of range/);
      assert.ok(got.cause instanceof TypeError);
      assert.equal((got.cause as TypeError).message, 'the cause');
      const plain = (await server.recv({ timeout: LONG })) as Error;
      assert.ok(plain instanceof Error);
      assert.equal(plain.message, 'plain');
    });

    test('1000 messages each way, sent at once from both sides, arrive complete and in order', async (t) => {
      const { server, client } = await pair<{ from: string; i: number; pad: string }>(t, kind);
      const n = 1000;
      for (let i = 0; i < n; i++) {
        client.send({ from: 'client', i, pad: 'x'.repeat(i % 97) });
        server.send({ from: 'server', i, pad: 'y'.repeat(i % 89) });
      }
      const atServer: number[] = [];
      const atClient: number[] = [];
      for (let i = 0; i < n; i++) {
        const a = await server.recv({ timeout: LONG });
        assert.equal(a.from, 'client');
        assert.equal(a.pad.length, a.i % 97);
        atServer.push(a.i);
        const b = await client.recv({ timeout: LONG });
        assert.equal(b.from, 'server');
        atClient.push(b.i);
      }
      const expected = Array.from({ length: n }, (_, i) => i);
      assert.deepEqual(atServer, expected);
      assert.deepEqual(atClient, expected);
      assert.equal(await server.poll(), false);
      assert.equal(await client.poll(), false);
    });

    test('a 50 MB Buffer, with send() and with sendBytes(), arrives whole', { timeout: 120_000 }, async (t) => {
      const { server, client } = await pair(t, kind);
      const big = Buffer.alloc(50 << 20);
      for (let i = 0; i < big.length; i += 4093) big[i] = (i * 7) & 0xff;
      big.writeUInt32BE(0xdeadbeef, big.length - 4);
      const digest = createHash('sha256').update(big).digest('hex');
      client.send(big);
      client.sendBytes(big);
      client.send('after the big ones');
      const viaSend = (await server.recv({ timeout: 60_000 })) as Buffer;
      assert.ok(Buffer.isBuffer(viaSend), 'send(Buffer) arrives as a Buffer');
      assert.equal(viaSend.length, big.length);
      assert.equal(createHash('sha256').update(viaSend).digest('hex'), digest);
      const viaBytes = await server.recvBytes(undefined, { timeout: 60_000 });
      assert.equal(viaBytes.length, big.length);
      assert.equal(createHash('sha256').update(viaBytes).digest('hex'), digest);
      assert.equal(await server.recv({ timeout: LONG }), 'after the big ones');
      // And back the other way, into a buffer of exactly the right size.
      server.sendBytes(big);
      const into = Buffer.alloc(big.length);
      assert.equal(await client.recvBytesInto(into, 0, { timeout: 60_000 }), big.length);
      assert.ok(into.equals(big));
    });

    test('64 messages of 1 MB left unread (beyond the 16 MB the reader buffers) are all delivered, in order, once read', { timeout: 120_000 }, async (t) => {
      const { server, client } = await pair(t, kind);
      const count = 64;
      for (let i = 0; i < count; i++) client.sendBytes(Buffer.alloc(1 << 20, i)); // a fresh buffer each time
      client.send('last');
      await sleep(300); // the reader does not read: the socket fills up and is paused
      for (let i = 0; i < count; i++) {
        const bytes = await server.recvBytes(undefined, { timeout: LONG });
        assert.equal(bytes.length, 1 << 20, `message ${i}`);
        assert.ok(bytes[0] === i && bytes[bytes.length - 1] === i, `message ${i} holds its own bytes`);
      }
      assert.equal(await server.recv({ timeout: LONG }), 'last');
    });

    test('sendBytes(): views, offsets and sizes in bytes; bad ones are ValueError (nothing sent), a non-buffer TypeError', async (t) => {
      const { server, client } = await pair(t, kind);
      const bytes = Buffer.from('0123456789');
      client.sendBytes(bytes);
      client.sendBytes(bytes, 3);
      client.sendBytes(bytes, 2, 4);
      client.sendBytes(bytes, 9);
      client.sendBytes(bytes, 4, 1);
      client.sendBytes(new Float64Array([1.5, -2]), 8, 8); // offsets count bytes, as Python's memoryview cast('B')
      client.sendBytes(new Uint16Array([0x0102, 0x0304]).subarray(1));
      client.sendBytes(new DataView(bytes.buffer, bytes.byteOffset + 1, 3));
      client.sendBytes(new Uint8Array([9, 8, 7]).buffer);
      assert.deepEqual(await server.recvBytes(), Buffer.from('0123456789'));
      assert.deepEqual(await server.recvBytes(), Buffer.from('3456789'));
      assert.deepEqual(await server.recvBytes(), Buffer.from('2345'));
      assert.deepEqual(await server.recvBytes(), Buffer.from('9'));
      assert.deepEqual(await server.recvBytes(), Buffer.from('4'));
      const minusTwo = Buffer.alloc(8);
      minusTwo.writeDoubleLE(-2);
      assert.deepEqual(await server.recvBytes(), minusTwo);
      assert.deepEqual(await server.recvBytes(), Buffer.from(new Uint16Array([0x0304]).buffer));
      assert.deepEqual(await server.recvBytes(), Buffer.from('123'));
      assert.deepEqual(await server.recvBytes(), Buffer.from([9, 8, 7]));

      const value = isError(ValueError);
      assert.throws(() => client.sendBytes(bytes, -1), value);
      assert.throws(() => client.sendBytes(bytes, 11), value);
      assert.throws(() => client.sendBytes(bytes, 1.5), value);
      assert.throws(() => client.sendBytes(bytes, 0, -1), value);
      assert.throws(() => client.sendBytes(bytes, 0, 11), value);
      assert.throws(() => client.sendBytes(bytes, 8, 3), value);
      assert.throws(() => client.sendBytes(bytes, 0, 2.5), value);
      assert.throws(() => client.sendBytes(new Float64Array(2), 0, 17), value);
      assert.throws(() => client.sendBytes('a string' as unknown as Uint8Array), TypeError);
      assert.throws(() => client.sendBytes([1, 2, 3] as unknown as Uint8Array), TypeError);
      assert.throws(() => client.sendBytes(null as unknown as Uint8Array), TypeError);
      client.sendBytes(Buffer.from('still fine'));
      assert.deepEqual(await server.recvBytes(undefined, { timeout: LONG }), Buffer.from('still fine'), 'the rejected calls sent nothing');
    });

    test('send() of a value that cannot be serialized: SerializationError at once, nothing sent, the connection goes on', async (t) => {
      const { server, client } = await pair(t, kind);
      assert.throws(() => client.send(() => 'a closure'), SerializationError);
      assert.throws(() => client.send({ nested: Symbol('no') }), SerializationError);
      client.send('fine');
      assert.equal(await server.recv({ timeout: LONG }), 'fine');
      assert.equal(await server.poll(100), false);
    });

    test('recvBytes(maxLength): a message that fits is returned; a longer one is MessageTooLongError and closes the connection (the peer sees EOF)', async (t) => {
      const { server, client } = await pair(t, kind);
      await assert.rejects(server.recvBytes(-1), isError(ValueError));
      await assert.rejects(server.recvBytes(1.5), isError(ValueError));
      client.sendBytes(Buffer.from('exactly10!'));
      client.sendBytes(Buffer.from('eleven bytes'));
      client.sendBytes(Buffer.from('never read'));
      assert.deepEqual(await server.recvBytes(10, { timeout: LONG }), Buffer.from('exactly10!'), 'the invalid calls consumed nothing');
      await assert.rejects(server.recvBytes(10, { timeout: LONG }), (e: unknown) => {
        assert.ok(e instanceof MessageTooLongError, String(e));
        assert.equal(e.code, 'ERR_MESSAGE_TOO_LONG');
        assert.match(e.message, /12 bytes.*maxLength 10/);
        return true;
      });
      assert.equal(server.closed, true, 'the connection was closed');
      await assert.rejects(server.recvBytes(), isClosed);
      await assert.rejects(server.recv(), isClosed);
      assert.throws(() => server.send('x'), isClosed);
      await assert.rejects(client.recv({ timeout: LONG }), isEOF, 'the peer sees the connection end');
    });

    test('recvBytesInto(): the length, the bytes at the offset; too little room is BufferTooShort with the whole message in .bytes (consumed; the connection stays open)', async (t) => {
      const { server, client } = await pair(t, kind);
      client.sendBytes(Buffer.from('hello'));
      client.sendBytes(Buffer.from('does not fit'));
      client.sendBytes(Buffer.from('next'));
      client.sendBytes(Buffer.from('abcdefgh'));
      client.sendBytes(Buffer.from('x'));
      const target = Buffer.alloc(12, '.');
      assert.equal(await server.recvBytesInto(target, 3, { timeout: LONG }), 5);
      assert.equal(target.toString(), '...hello....');
      const small = Buffer.alloc(8, '-');
      await assert.rejects(server.recvBytesInto(small, 0, { timeout: LONG }), (e: unknown) => {
        assert.ok(e instanceof BufferTooShort, String(e));
        assert.equal(e.code, 'ERR_BUFFER_TOO_SHORT');
        assert.deepEqual(e.bytes, Buffer.from('does not fit'));
        return true;
      });
      assert.equal(small.toString(), '--------', 'nothing was written into a buffer too short');
      assert.equal(server.closed, false);
      // The offset counts: 4 bytes fit from offset 4 of 8, not from offset 5.
      await assert.rejects(server.recvBytesInto(small, 5, { timeout: LONG }), (e: unknown) => e instanceof BufferTooShort && e.bytes.toString() === 'next');
      // Into a typed array: offsets are in bytes of its view.
      const doubles = new Float64Array(2);
      assert.equal(await server.recvBytesInto(doubles, 8, { timeout: LONG }), 8);
      assert.deepEqual(Buffer.from(doubles.buffer, 8, 8), Buffer.from('abcdefgh'));
      await assert.rejects(server.recvBytesInto(small, 9), isError(ValueError));
      await assert.rejects(server.recvBytesInto(small, -1), isError(ValueError));
      await assert.rejects(server.recvBytesInto(new ArrayBuffer(8) as unknown as Uint8Array), TypeError);
      assert.equal(await server.recvBytesInto(small, 8 - 1, { timeout: LONG }), 1, 'the invalid calls consumed nothing');
      assert.equal(small.toString(), '-------x');
    });

    test('send() and sendBytes() frames interleave; recv() reads a sendBytes() frame only if it is a serialized value', async (t) => {
      const { server, client } = await pair(t, kind);
      client.send({ a: 1 });
      client.sendBytes(Buffer.from('raw'));
      client.send([2]);
      assert.deepEqual(await server.recv({ timeout: LONG }), { a: 1 });
      assert.deepEqual(await server.recvBytes(undefined, { timeout: LONG }), Buffer.from('raw'));
      assert.deepEqual(await server.recv({ timeout: LONG }), [2]);
      // recvBytes() of a send() frame: the serialized bytes, which recv() on the other side understands.
      client.send(new Map([['k', 'v']]));
      const serialized = await server.recvBytes(undefined, { timeout: LONG });
      server.sendBytes(serialized);
      assert.deepEqual(await client.recv({ timeout: LONG }), new Map([['k', 'v']]));
    });

    test('EOF: after the peer closes, recv() drains what was sent, then EOFError (every time); poll() is true; send() is BrokenPipeError', async (t) => {
      const { server, client } = await pair(t, kind);
      client.send('one');
      client.sendBytes(Buffer.from('two'));
      client.send({ three: 3 });
      client.close();
      assert.equal(await server.recv({ timeout: LONG }), 'one');
      assert.deepEqual(await server.recvBytes(undefined, { timeout: LONG }), Buffer.from('two'));
      assert.deepEqual(await server.recv({ timeout: LONG }), { three: 3 });
      await assert.rejects(server.recv({ timeout: LONG }), (e: unknown) => isEOF(e) && /closed/.test((e as Error).message));
      await assert.rejects(server.recvBytes(undefined, { timeout: LONG }), isEOF);
      await assert.rejects(server.recvBytesInto(Buffer.alloc(4), 0, { timeout: LONG }), isEOF);
      assert.equal(await server.poll(), true, 'poll() is true at EOF: recv() would not wait');
      assert.equal(await server.poll(1000), true);
      assert.equal(server.closed, false, 'EOF does not close this end');
      assert.throws(() => server.send('nobody reads this'), isEPIPE);
      assert.throws(() => server.sendBytes(Buffer.from('nor this')), isEPIPE);
      server.close();
      await assert.rejects(server.recv(), isClosed, 'after our own close(): ValueError, not EOF');
    });

    test('a recv() waiting when the peer closes rejects with EOFError; send() without a recv() in between is BrokenPipeError once the end is seen', async (t) => {
      const { server, client } = await pair(t, kind);
      const waiting = server.recv({ timeout: LONG });
      await sleep(50);
      client.close();
      await assert.rejects(waiting, isEOF);

      const second = await pair(t, kind);
      second.client.close();
      // The end arrives asynchronously: until then a send() is buffered, as a first send() to a
      // closed socket succeeds in Python too. It must not stay silent for ever.
      let error: unknown = null;
      await waitFor(() => {
        try {
          second.server.send('is anyone there?');
          return false;
        } catch (e) {
          error = e;
          return true;
        }
      }, 10_000);
      assert.ok(isEPIPE(error), `send() after the peer closed: ${String(error)}`);
    });

    test('close(): what was sent just before is still delivered (8 MB included), then EOF', { timeout: 60_000 }, async (t) => {
      const { server, client } = await pair(t, kind);
      const big = Buffer.alloc(8 << 20, 0x5a);
      client.sendBytes(big);
      client.send('the last word');
      client.close();
      assert.ok((await server.recvBytes(undefined, { timeout: LONG })).equals(big));
      assert.equal(await server.recv({ timeout: LONG }), 'the last word');
      await assert.rejects(server.recv({ timeout: LONG }), isEOF);
    });

    test('close(): twice is fine; then every method is ValueError ERR_CLOSED; closed/readable/writable; fileno() -1; a pending recv()/recvBytes() rejects ERR_CLOSED', async (t) => {
      const { server, client } = await pair(t, kind);
      assert.equal(server.closed, false);
      assert.deepEqual([server.readable, server.writable], [true, true]);
      const fd = server.fileno();
      assert.ok(Number.isInteger(fd) && fd >= 0, `fileno() ${fd}`);
      assert.notEqual(client.fileno(), fd);
      assert.match(inspect(server), /SocketConnection open/);
      const pending = server.recv();
      const pendingBytes = server.recvBytes(undefined, { timeout: LONG });
      client.send('arrives after close'); // the closed end does not hand it out
      server.close();
      server.close();
      await assert.rejects(pending, isClosed);
      await assert.rejects(pendingBytes, isClosed);
      assert.equal(server.closed, true);
      assert.deepEqual([server.readable, server.writable], [false, false]);
      assert.match(inspect(server), /SocketConnection closed/);
      await assert.rejects(server.recv(), isClosed);
      await assert.rejects(server.recv({ timeout: 10 }), isClosed);
      await assert.rejects(server.recvBytes(), isClosed);
      await assert.rejects(server.recvBytesInto(Buffer.alloc(100)), isClosed);
      await assert.rejects(server.poll(), isClosed);
      await assert.rejects(server.poll(100), isClosed);
      assert.throws(() => server.send('x'), isClosed);
      assert.throws(() => server.sendBytes(Buffer.from('x')), isClosed);
      assert.ok(await waitFor(() => server.fileno() === -1, 10_000), `fileno() after close: ${server.fileno()}`);
      await assert.rejects(client.recv({ timeout: LONG }), isEOF);
    });

    test('`using` closes a SocketConnection at the end of the block', async (t) => {
      const listener = await listen(t, kind);
      let kept: SocketConnection | null = null;
      const accepted = listener.accept({ timeout: LONG });
      {
        using conn = await Client(listener.address);
        kept = conn;
        conn.send('from inside the block');
      }
      assert.equal(kept.closed, true);
      const server = await accepted;
      t.after(() => server.close());
      assert.equal(await server.recv({ timeout: LONG }), 'from inside the block');
      await assert.rejects(server.recv({ timeout: LONG }), isEOF);
    });

    test('recv({ timeout }): TimeoutError ERR_TIMEOUT when nothing comes; a message sent later is intact; timeout 0 returns what is there', async (t) => {
      const { server, client } = await pair(t, kind);
      await assert.rejects(server.recv({ timeout: 100 }), isTimeout);
      await assert.rejects(server.recv({ timeout: 0 }), isTimeout);
      await assert.rejects(server.recvBytes(undefined, { timeout: 50 }), isTimeout);
      await assert.rejects(server.recvBytesInto(Buffer.alloc(4), 0, { timeout: 50 }), isTimeout);
      client.send('late but whole');
      assert.equal(await server.recv({ timeout: LONG }), 'late but whole');
      client.send('already there');
      assert.equal(await server.poll(LONG), true);
      assert.equal(await server.recv({ timeout: 0 }), 'already there');
      await assert.rejects(server.recv({ timeout: -1 }), TypeError);
      await assert.rejects(server.recv({ timeout: Number.NaN }), TypeError);
      await assert.rejects(server.poll(-5), TypeError);
    });

    test('poll(): false with nothing there (at once and after a timeout), true once a message arrives, and it consumes nothing', async (t) => {
      const { server, client } = await pair(t, kind);
      assert.equal(await server.poll(), false);
      assert.equal(await server.poll(0), false);
      assert.equal(await server.poll(150), false);
      assert.equal(await server.poll({ timeout: 50 }), false);
      const waiting = server.poll(LONG);
      await sleep(50);
      client.send('wakes the poll');
      assert.equal(await waiting, true);
      assert.equal(await server.poll(), true);
      assert.equal(await server.poll({ timeout: 0 }), true);
      assert.equal(await server.recv({ timeout: LONG }), 'wakes the poll');
      assert.equal(await server.poll(), false);
    });

    test('AbortSignal: recv()/recvBytes()/poll() reject with its reason; the message that comes later is not lost', async (t) => {
      const { server, client } = await pair(t, kind);
      const stop = new AbortController();
      const reason = new Error('the user gave up');
      const waiting = [server.recv({ signal: stop.signal }), server.recvBytes(undefined, { signal: stop.signal }), server.poll({ signal: stop.signal })];
      await sleep(20);
      stop.abort(reason);
      for (const p of waiting) await assert.rejects(p, (e: unknown) => e === reason);
      await assert.rejects(server.recv({ signal: AbortSignal.abort('already') }), (e: unknown) => e === 'already');
      await assert.rejects(server.recv({ signal: AbortSignal.timeout(50) }), (e: unknown) => e instanceof DOMException && e.name === 'TimeoutError');
      client.send('after the aborts');
      assert.equal(await server.recv({ timeout: LONG, signal: new AbortController().signal }), 'after the aborts');
    });

    test('recv() calls waiting together get the messages in the order they were called', async (t) => {
      const { server, client } = await pair<number>(t, kind);
      const waiting = [server.recv({ timeout: LONG }), server.recv({ timeout: LONG }), server.recv({ timeout: LONG })];
      await sleep(20);
      client.send(1);
      client.send(2);
      await sleep(20);
      client.send(3);
      assert.deepEqual(await Promise.all(waiting), [1, 2, 3]);
    });
  });
}

test('sendBytes() sends the bytes the buffer held when it was called (the caller may reuse its buffer)', {
}, async (t) => {
  const { server, client } = await pair(t, 'abstract');
  const buffer = Buffer.alloc(8 << 20, 1); // more than the kernel takes at once: part of it waits in Node
  client.sendBytes(buffer);
  buffer.fill(2); // Python's send_bytes has written (or copied) the bytes when it returns
  const got = await server.recvBytes(undefined, { timeout: LONG });
  assert.equal(got.indexOf(2), -1, `${got.filter((b) => b === 2).length} of ${got.length} bytes were changed after sendBytes() returned`);
});

test('a SocketConnection given to send() (over a Pipe or a socket) arrives as a working connection or is refused with SerializationError, never as a plain {}', {
}, async (t) => {
  const { server, client } = await pair(t, 'abstract');
  const [a, b] = Pipe<unknown>();
  t.after(() => {
    a.close();
    b.close();
  });
  const outcomes: string[] = [];
  for (const [what, carrier, receive] of [
    ['a Pipe', (v: unknown) => a.send(v), () => b.recv({ timeout: LONG })],
    ['a SocketConnection', (v: unknown) => client.send(v), () => server.recv({ timeout: LONG })],
  ] as const) {
    try {
      carrier(server);
    } catch (error) {
      if (error instanceof SerializationError) continue; // refused: fine
      throw error;
    }
    const got = await receive();
    if (!(got instanceof SocketConnection)) outcomes.push(`over ${what} it arrived as ${inspect(got)}`);
  }
  assert.deepEqual(outcomes, []);
});

test('a poll() waiting when its own connection is closed rejects ValueError ERR_CLOSED, as recv() does and as Connection.poll() does', {
}, async (t) => {
  const { server } = await pair(t, 'abstract');
  const [a, b] = Pipe<unknown>();
  t.after(() => b.close());
  const pollingPipe = a.poll(LONG);
  const pollingSocket = server.poll(LONG);
  pollingSocket.catch(() => {}); // (asserted below, after the Pipe's)
  await sleep(50);
  a.close();
  server.close();
  await assert.rejects(pollingPipe, isClosed, 'the Pipe Connection (for comparison)');
  await assert.rejects(pollingSocket, isClosed);
});

test('nothing is left behind: no child process, nothing of ours in /dev/shm', async () => {
  await assertNothingLeft(shmBefore);
});
