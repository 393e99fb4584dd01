// End of file across processes, on both start methods: EOFError only once every holder of the
// other end has let go (closed, exited, or been killed) and every message has been received;
// poll() is true at EOF; send() to an end nobody holds is BrokenPipeError.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BrokenPipeError, EOFError, Pipe, TimeoutError } from 'multiprocessing-ts';
import { collectUntilEof, holdUntilTold, sendAfter, sendThenExit, sendThenHold } from '../fixtures/pipe-targets.ts';
import { waitFor } from '../helpers.ts';
import { METHODS, at, counters, joinAll, start } from '../synchronize/_util.ts';

const isEOF = (e: unknown) => e instanceof EOFError && (e as EOFError).code === 'ERR_EOF';
const isEPIPE = (e: unknown) => e instanceof BrokenPipeError && (e as BrokenPipeError).code === 'EPIPE';

function tell(flags: ReturnType<typeof counters>, value: number): void {
  Atomics.store(flags.getObj() as Int32Array, 1, value);
}

test('send() once the other end is closed: BrokenPipeError (EPIPE), duplex and one-way; the reader still gets what was sent before', async () => {
  const [a, b] = Pipe<string>();
  a.send('sent before b closed');
  b.close();
  assert.throws(() => a.send('nobody listens'), isEPIPE);
  assert.throws(() => a.sendBytes(Buffer.from('nobody listens')), isEPIPE);
  await assert.rejects(a.recv({ timeout: 1000 }), isEOF);
  a.close();

  const [reader, writer] = Pipe<string>(false);
  writer.send('kept');
  reader.close();
  assert.throws(() => writer.send('nobody listens'), isEPIPE);
  writer.close();

  const [r2, w2] = Pipe<string>(false);
  w2.send('drained first');
  w2.close();
  assert.equal(await r2.recv(), 'drained first');
  await assert.rejects(r2.recv(), isEOF);
  r2.close();
});

test('two handles of one end in this process (one came through another pipe): EOF only when both are closed', async () => {
  const [a, b] = Pipe<number>();
  const [carrierIn, carrierOut] = Pipe<unknown>();
  carrierOut.send(b);
  const b2 = (await carrierIn.recv({ timeout: 1000 })) as typeof b;
  assert.notEqual(b2, b);
  b.close();
  assert.equal(await a.poll(100), false, 'b2 still holds the end: no EOF yet');
  await assert.rejects(a.recv({ timeout: 100 }), TimeoutError);
  b2.send(5);
  b2.close();
  assert.equal(await a.recv({ timeout: 1000 }), 5, 'the message first');
  await assert.rejects(a.recv({ timeout: 1000 }), isEOF);
  a.close();
  carrierIn.close();
  carrierOut.close();
});

for (const method of METHODS) {
  describe(`EOF across processes on '${method}'`, () => {
    test('two holders (this process and a child): one closing gives no EOF; the second closing does, while the child still runs', { timeout: 60_000 }, async (t) => {
      const [a, b] = Pipe<unknown>();
      const flags = counters(2);
      const child = start(t, method, holdUntilTold, [b, flags]);
      assert.ok(await waitFor(() => at(flags, 0) === 1, 20_000), 'the child holds its copy');
      b.close();
      assert.equal(await a.poll(300), false, 'the child still holds the other end: poll() false');
      await assert.rejects(a.recv({ timeout: 300 }), TimeoutError, 'no EOF while the child holds it');
      assert.doesNotThrow(() => a.send('still connected'), 'no BrokenPipeError either');
      const pending = a.recv({ timeout: 20_000 });
      tell(flags, 1); // the child closes its copy (and stays alive)
      const started = Date.now();
      await assert.rejects(pending, isEOF);
      assert.ok(Date.now() - started < 2000, `EOF after ${Date.now() - started} ms`);
      assert.ok(await waitFor(() => at(flags, 0) === 2, 5000), 'the child closed its handle');
      assert.equal(child.exitcode, null, 'EOF came from close(), not from the exit');
      assert.throws(() => a.send('now nobody listens'), isEPIPE);
      tell(flags, 2);
      await joinAll([child]);
      a.close();
    });

    test('poll(timeout) and pollSync(timeout) become true when a child sends; poll(0) is false before', { timeout: 60_000 }, async (t) => {
      const [a, b] = Pipe<unknown>();
      const flags = counters(2);
      const first = start(t, method, sendAfter, [b, 600, 'late', flags]);
      assert.ok(await waitFor(() => at(flags, 0) === 1, 20_000), 'the child runs');
      assert.equal(await a.poll(0), false);
      assert.equal(a.pollSync(0), false);
      let started = Date.now();
      assert.equal(await a.poll(20_000), true);
      assert.ok(Date.now() - started < 10_000, `poll returned after ${Date.now() - started} ms`);
      assert.equal(a.pollSync(), true);
      assert.equal(await a.recv({ timeout: 1000 }), 'late');
      assert.equal(await a.poll(), false, 'the message was taken by recv, not by poll');
      tell(flags, 1);

      const flags2 = counters(2);
      const second = start(t, method, sendAfter, [b, 600, 'later', flags2]);
      b.close();
      assert.ok(await waitFor(() => at(flags2, 0) === 1, 20_000), 'the second child runs');
      started = Date.now();
      assert.equal(a.pollSync(20_000), true);
      assert.ok(Date.now() - started < 10_000, `pollSync returned after ${Date.now() - started} ms`);
      assert.equal(a.recvSync({ timeout: 1000 }), 'later');
      tell(flags2, 1);
      await joinAll([first, second]);
      a.close();
    });

    test('a child that exits without closing: EOF, but only after its messages are received; poll() true throughout', { timeout: 60_000 }, async (t) => {
      const [a, b] = Pipe<unknown>(false);
      const values = [1, 'two', { three: [3] }, null];
      const child = start(t, method, sendThenExit, [b, values]);
      b.close(); // right after start(), as the seeds do
      await joinAll([child]);
      for (const value of values) {
        assert.equal(await a.poll(), true);
        assert.deepEqual(await a.recv({ timeout: 5000 }), value);
      }
      assert.equal(await a.poll(), true, 'at EOF');
      assert.equal(a.pollSync(), true);
      await assert.rejects(a.recv({ timeout: 5000 }), isEOF);
      assert.throws(() => a.recvSync({ timeout: 5000 }), isEOF);
      a.close();
    });

    test('a pending recv() gets EOFError when the only other holder, a child, exits', { timeout: 60_000 }, async (t) => {
      const [a, b] = Pipe<unknown>();
      const flags = counters(2);
      const child = start(t, method, sendAfter, [b, 100, 'last words', flags]);
      b.close();
      assert.equal(await a.recv({ timeout: 20_000 }), 'last words');
      const pending = a.recv({ timeout: 20_000 });
      tell(flags, 1);
      await assert.rejects(pending, isEOF);
      await joinAll([child]);
    });

    test('a child killed while holding the other end: its messages, then EOFError within 2 s; then send() is BrokenPipeError', { timeout: 60_000 }, async (t) => {
      const [a, b] = Pipe<unknown>();
      const flags = counters(2);
      const child = start(t, method, sendThenHold, [b, ['before the kill', 42], flags]);
      b.close();
      assert.ok(await waitFor(() => at(flags, 0) === 1, 20_000), 'the child sent and holds its end');
      assert.equal(await a.recv({ timeout: 5000 }), 'before the kill');
      assert.equal(await a.recv({ timeout: 5000 }), 42, 'the second message was sent before the kill');
      const waiting = a.recv({ timeout: 20_000 });
      const killed = Date.now();
      child.kill();
      await assert.rejects(waiting, isEOF);
      const took = Date.now() - killed;
      assert.ok(took < 2000, `EOF ${took} ms after the kill`);
      assert.equal(await child.join(10_000), -9);
      assert.equal(await a.poll(), true);
      assert.throws(() => a.send('the reader is dead'), isEPIPE);
      a.close();
    });

    test('send() after the only other holder was killed, with no recv() in between: BrokenPipeError', {
      timeout: 60_000,
    }, async (t) => {
      const [a, b] = Pipe<unknown>(false);
      const flags = counters(2);
      const child = start(t, method, holdUntilTold, [a, flags]);
      a.close();
      assert.ok(await waitFor(() => at(flags, 0) === 1, 20_000), 'the child holds the receiving end');
      b.send('while the reader lives');
      child.kill();
      assert.equal(await child.join(10_000), -9);
      let error: unknown = null;
      // Python raises at once (the kernel closed the socket); allow the liveness check's period.
      await waitFor(() => {
        try {
          b.send('after the kill');
          return false;
        } catch (e) {
          error = e;
          return true;
        }
      }, 2000);
      assert.ok(isEPIPE(error), `send() after the reader was killed: ${String(error)}`);
      b.close();
    });

    test('a child killed right after start(), before it took over its Connection argument: EOF all the same', {
      timeout: 60_000,
    }, async (t) => {
      const [a, b] = Pipe<unknown>();
      const flags = counters(2);
      const child = start(t, method, holdUntilTold, [b, flags]);
      b.close();
      child.kill(); // Python: the kernel closes the child's descriptors, the parent sees EOF
      assert.equal(await child.join(10_000), -9);
      await assert.rejects(a.recv({ timeout: 3000 }), isEOF);
      a.close();
    });

    test('a child reading until EOF from an end this process and the child both write: EOF after this process closes too', { timeout: 60_000 }, async (t) => {
      const [readEnd, writeEnd] = Pipe<unknown>(false);
      const [replyIn, replyOut] = Pipe<unknown>(false);
      const child = start(t, method, collectUntilEof, [readEnd, replyOut]);
      readEnd.close();
      replyOut.close();
      writeEnd.send('one');
      writeEnd.send('two');
      assert.equal(await replyIn.poll(300), false, 'the child waits: this process still holds the writing end');
      writeEnd.close();
      assert.deepEqual(await replyIn.recv({ timeout: 20_000 }), ['one', 'two']);
      await joinAll([child]);
      await assert.rejects(replyIn.recv({ timeout: 5000 }), isEOF);
      replyIn.close();
    });
  });
}
