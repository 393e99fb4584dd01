// Pipe and Connection in one process: both directions, one-way pipes, closed handles,
// timeouts, AbortSignals and poll.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection, EOFError, Pipe, SerializationError, TimeoutError, ValueError, getContext } from 'multiprocessing-ts';
import { sleep } from '../helpers.ts';

const isValueError = (code: string) => (e: unknown) => e instanceof ValueError && (e as ValueError).code === code;

test("seed: left, right = Pipe(); left.send('1234'); right.recv() → '1234'", async () => {
  const [left, right] = Pipe();
  left.send('1234');
  assert.equal(await right.recv(), '1234');
  left.close();
  right.close();
});

test('a duplex pipe carries messages both ways, in order, async and sync forms alike', async () => {
  const [a, b] = Pipe<unknown>();
  assert.ok(a instanceof Connection && b instanceof Connection);
  assert.deepEqual([a.readable, a.writable, b.readable, b.writable], [true, true, true, true]);
  a.send('a→b 1');
  a.send('a→b 2');
  b.send('b→a 1');
  assert.equal(await b.recv(), 'a→b 1');
  assert.equal(b.recvSync(), 'a→b 2');
  assert.equal(a.recvSync({ timeout: 1000 }), 'b→a 1');
  // Each direction is its own stream: what a sends, a does not receive back.
  a.send('only for b');
  assert.equal(a.pollSync(), false, 'a does not see its own message');
  assert.equal(await b.recv({ timeout: 1000 }), 'only for b');
  a.close();
  b.close();
});

test('Pipe(false): the first end only receives, the second only sends (wrong way: ValueError ERR_WRITE_ONLY / ERR_READ_ONLY)', async () => {
  const [reader, writer] = Pipe<string>(false);
  assert.deepEqual([reader.readable, reader.writable], [true, false]);
  assert.deepEqual([writer.readable, writer.writable], [false, true]);
  writer.send('one way');
  writer.sendBytes(Buffer.from('bytes one way'));
  assert.equal(await reader.recv(), 'one way');
  assert.deepEqual(await reader.recvBytes(), Buffer.from('bytes one way'));

  assert.throws(() => reader.send('back?'), isValueError('ERR_READ_ONLY'));
  assert.throws(() => reader.sendBytes(Buffer.from('back?')), isValueError('ERR_READ_ONLY'));
  await assert.rejects(writer.recv(), isValueError('ERR_WRITE_ONLY'));
  assert.throws(() => writer.recvSync(), isValueError('ERR_WRITE_ONLY'));
  await assert.rejects(writer.recvBytes(), isValueError('ERR_WRITE_ONLY'));
  assert.throws(() => writer.recvBytesSync(), isValueError('ERR_WRITE_ONLY'));
  await assert.rejects(writer.recvBytesInto(Buffer.alloc(8)), isValueError('ERR_WRITE_ONLY'));
  assert.throws(() => writer.recvBytesIntoSync(Buffer.alloc(8)), isValueError('ERR_WRITE_ONLY'));
  await assert.rejects(writer.poll(), isValueError('ERR_WRITE_ONLY'));
  assert.throws(() => writer.pollSync(), isValueError('ERR_WRITE_ONLY'));
  // Misuse changes nothing: the pipe still works.
  writer.send('still works');
  assert.equal(reader.recvSync({ timeout: 1000 }), 'still works');
  reader.close();
  writer.close();
});

test('Pipe() arguments: duplex must be a boolean, bufferSize a power of two (ValueError)', () => {
  assert.throws(() => Pipe(1 as unknown as boolean), TypeError);
  assert.throws(() => Pipe(true, { bufferSize: 5000 }), ValueError);
  assert.throws(() => Pipe(true, { bufferSize: 1024 }), ValueError);
  const [a, b] = Pipe(true, { bufferSize: 8192 });
  a.send('small ring');
  assert.equal(b.recvSync({ timeout: 1000 }), 'small ring');
  a.close();
  b.close();
  const [c, d] = getContext('spawn').Pipe<number>(false);
  d.send(7);
  assert.equal(c.recvSync({ timeout: 1000 }), 7);
  c.close();
  d.close();
});

test('a closed handle: every use is ValueError ERR_CLOSED; close() twice is harmless; `using` closes', async () => {
  const [a, b] = Pipe<string>();
  a.close();
  assert.equal(a.closed, true);
  assert.equal(b.closed, false);
  a.close(); // again: nothing happens
  assert.throws(() => a.send('x'), isValueError('ERR_CLOSED'));
  assert.throws(() => a.sendBytes(Buffer.from('x')), isValueError('ERR_CLOSED'));
  await assert.rejects(a.recv(), isValueError('ERR_CLOSED'));
  assert.throws(() => a.recvSync(), isValueError('ERR_CLOSED'));
  await assert.rejects(a.recvBytes(), isValueError('ERR_CLOSED'));
  assert.throws(() => a.recvBytesSync(), isValueError('ERR_CLOSED'));
  await assert.rejects(a.recvBytesInto(Buffer.alloc(4)), isValueError('ERR_CLOSED'));
  assert.throws(() => a.recvBytesIntoSync(Buffer.alloc(4)), isValueError('ERR_CLOSED'));
  await assert.rejects(a.poll(), isValueError('ERR_CLOSED'));
  assert.throws(() => a.pollSync(), isValueError('ERR_CLOSED'));
  // A closed handle cannot be sent anywhere either.
  assert.throws(() => b.send(a as unknown as string), SerializationError);
  b.close();

  let kept: Connection<number>;
  {
    using c = Pipe<number>()[0];
    kept = c;
    assert.equal(c.closed, false);
  }
  assert.equal(kept.closed, true, 'leaving the using block closed it');
  assert.throws(() => kept.send(1), isValueError('ERR_CLOSED'));
});

test('a pending recv()/poll()/recvBytes() of this process rejects with ERR_CLOSED when its handle is closed', async () => {
  const [a, b] = Pipe<string>();
  const pendingRecv = a.recv();
  const pendingBytes = a.recvBytes();
  const pendingPoll = a.poll(Infinity);
  let settled = false;
  void Promise.allSettled([pendingRecv, pendingBytes, pendingPoll]).then(() => (settled = true));
  await sleep(100);
  assert.equal(settled, false, 'nothing to receive yet: still waiting');
  const started = Date.now();
  a.close();
  await assert.rejects(pendingRecv, isValueError('ERR_CLOSED'));
  await assert.rejects(pendingBytes, isValueError('ERR_CLOSED'));
  await assert.rejects(pendingPoll, isValueError('ERR_CLOSED'));
  assert.ok(Date.now() - started < 1000, `woken at once (${Date.now() - started} ms)`);
  b.close();
});

test('recv/recvSync/recvBytes with a timeout: TimeoutError (ERR_TIMEOUT) after about that long; nothing is lost', async () => {
  const [a, b] = Pipe<string>();
  let started = Date.now();
  await assert.rejects(a.recv({ timeout: 80 }), (e: unknown) => e instanceof TimeoutError && (e as TimeoutError).code === 'ERR_TIMEOUT');
  let took = Date.now() - started;
  assert.ok(took >= 70 && took < 2000, `recv timed out after ${took} ms`);
  started = Date.now();
  assert.throws(() => a.recvSync({ timeout: 80 }), TimeoutError);
  took = Date.now() - started;
  assert.ok(took >= 70 && took < 2000, `recvSync timed out after ${took} ms`);
  await assert.rejects(a.recvBytes(undefined, { timeout: 20 }), TimeoutError);
  assert.throws(() => a.recvBytesSync(undefined, { timeout: 20 }), TimeoutError);
  await assert.rejects(a.recvBytesInto(Buffer.alloc(4), 0, { timeout: 20 }), TimeoutError);
  await assert.rejects(a.recv({ timeout: 0 }), TimeoutError, 'timeout 0: only what is there already');
  await assert.rejects(a.recv({ timeout: -1 }), TypeError);
  assert.throws(() => a.recvSync({ timeout: Number.NaN }), TypeError);
  // A message sent later is still received whole after the timeouts.
  b.send('after the timeouts');
  assert.equal(await a.recv({ timeout: 0 }), 'after the timeouts');
  setTimeout(() => b.send('in time'), 50);
  assert.equal(await a.recv({ timeout: 5000 }), 'in time');
  a.close();
  b.close();
});

test('an AbortSignal rejects a pending recv() with its reason; an aborted one at once; the pipe stays usable', async () => {
  const [a, b] = Pipe<string>();
  const controller = new AbortController();
  const pending = a.recv({ signal: controller.signal });
  setTimeout(() => controller.abort(new RangeError('stop waiting (test)')), 50);
  await assert.rejects(pending, (e: unknown) => e instanceof RangeError && e.message === 'stop waiting (test)');
  await assert.rejects(a.recv({ signal: controller.signal }), RangeError, 'an aborted signal rejects at once');
  await assert.rejects(a.recvBytes(undefined, { signal: controller.signal }), RangeError);
  await assert.rejects(a.poll({ timeout: 1000, signal: controller.signal }), RangeError);
  await assert.rejects(a.recv({ signal: AbortSignal.timeout(30) }), (e: unknown) => (e as Error).name === 'TimeoutError');
  // The aborted receive took nothing: the next message goes to the next recv.
  b.send('first after abort');
  b.send('second after abort');
  assert.equal(await a.recv({ signal: new AbortController().signal }), 'first after abort');
  assert.equal(a.recvSync(), 'second after abort');
  a.close();
  b.close();
});

test('poll(): false when empty (at once by default, or after the timeout), true when a message waits, which it does not take', async () => {
  const [a, b] = Pipe<string>();
  assert.equal(await a.poll(), false);
  assert.equal(await a.poll(0), false);
  assert.equal(a.pollSync(), false);
  let started = Date.now();
  assert.equal(await a.poll(80), false);
  assert.ok(Date.now() - started >= 70, `poll(80) waited ${Date.now() - started} ms`);
  started = Date.now();
  assert.equal(a.pollSync(80), false);
  assert.ok(Date.now() - started >= 70, `pollSync(80) waited ${Date.now() - started} ms`);
  assert.equal(await a.poll({ timeout: 20 }), false);

  b.send('waiting');
  assert.equal(await a.poll(), true);
  assert.equal(a.pollSync(), true);
  assert.equal(await a.poll(), true, 'poll() does not consume');
  assert.equal(await a.recv(), 'waiting');
  assert.equal(await a.poll(), false);

  // A message arriving while poll waits: true before the timeout.
  setTimeout(() => b.send('soon'), 50);
  started = Date.now();
  assert.equal(await a.poll(10_000), true);
  assert.ok(Date.now() - started < 5000, `poll returned after ${Date.now() - started} ms`);
  assert.equal(await a.recv(), 'soon');
  assert.throws(() => a.pollSync(-5), TypeError);
  a.close();
  b.close();
});

test('unclonable values are SerializationError at send(); nothing half-sent', async () => {
  const [a, b] = Pipe<unknown>();
  assert.throws(() => a.send(() => 1), SerializationError);
  assert.throws(() => a.send({ nested: { fn: () => 1 } }), SerializationError);
  assert.throws(() => a.send(Symbol('s')), SerializationError);
  assert.equal(b.pollSync(), false, 'nothing arrived');
  a.send('fine');
  assert.equal(await b.recv(), 'fine');
  a.close();
  b.close();
});

test('EOF in one process: messages sent before close() are received, then EOFError (ERR_EOF); poll() is true at EOF', async () => {
  const [a, b] = Pipe<number>();
  b.send(1);
  b.send(2);
  b.close();
  assert.equal(await a.poll(), true);
  assert.equal(await a.recv(), 1);
  assert.equal(a.recvSync(), 2);
  assert.equal(await a.poll(), true, 'at EOF poll() says recv() would not wait');
  assert.equal(a.pollSync(1000), true);
  await assert.rejects(a.recv(), (e: unknown) => e instanceof EOFError && (e as EOFError).code === 'ERR_EOF');
  assert.throws(() => a.recvSync(), EOFError);
  await assert.rejects(a.recvBytes(), EOFError);
  await assert.rejects(a.recvBytesInto(Buffer.alloc(4)), EOFError);
  await assert.rejects(a.recv({ timeout: 10_000 }), EOFError, 'EOF, not a timeout');
  a.close();
});

test('a pending recv() in this process gets EOFError when the other end is closed', async () => {
  const [a, b] = Pipe<number>();
  const pending = a.recv();
  await sleep(50);
  const started = Date.now();
  b.close();
  await assert.rejects(pending, EOFError);
  assert.ok(Date.now() - started < 1000, `woken after ${Date.now() - started} ms`);
  a.close();
});
