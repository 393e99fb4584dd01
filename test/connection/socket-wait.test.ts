// connection.wait() (Python's multiprocessing.connection.wait) over SocketConnections, shared-
// memory Pipe Connections and Processes: which are ready, in the order given; timeouts; EOF and
// ended processes count as ready; bad arguments; and the 'multiprocessing-ts/connection' subpath.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as main from 'multiprocessing-ts';
import { Pipe, ValueError, type Connection, type SocketConnection } from 'multiprocessing-ts';
import * as connection from 'multiprocessing-ts/connection';
import { wait, type Waitable } from 'multiprocessing-ts/connection';
import { sleepFor } from '../fixtures/socket-conn-targets.ts';
import { sleep } from '../helpers.ts';
import { METHODS, start } from '../synchronize/_util.ts';
import { KINDS, LONG, assertNothingLeft, isError, noteProcess, pair, shmSegments } from './_socket.ts';

let shmBefore: Set<string>;
before(() => {
  shmBefore = shmSegments();
});

/** One connected pair of each kind: [server, client] × 3. */
async function pairs(t: { after(fn: () => void): void }): Promise<SocketConnection[][]> {
  const out: SocketConnection[][] = [];
  for (const kind of KINDS) {
    const { server, client } = await pair(t, kind);
    out.push([server, client]);
  }
  return out;
}

function pipe(t: { after(fn: () => void): void }): [Connection<unknown>, Connection<unknown>] {
  const ends = Pipe<unknown>();
  t.after(() => {
    ends[0].close();
    ends[1].close();
  });
  return ends;
}

describe('wait() over SocketConnections', () => {
  test('only the ready ones come back, in the order given (not the order they became ready); wait() consumes nothing', async (t) => {
    const [[a, aPeer], [b, bPeer], [c, cPeer]] = await pairs(t);
    cPeer.send('for c');
    await c.poll(LONG);
    aPeer.send('for a');
    await a.poll(LONG);
    assert.deepEqual(await wait([a, b, c], LONG), [a, c]);
    assert.deepEqual(await wait([c, b, a], LONG), [c, a]);
    assert.deepEqual(await wait([b, c], 0), [c]);
    assert.equal(await a.recv({ timeout: LONG }), 'for a', 'the message is still there');
    assert.deepEqual(await wait([a, b, c], LONG), [c]);
    bPeer.send('for b');
    assert.deepEqual(await wait([a, b], LONG), [b]);
  });

  test('none ready: [] after the timeout, and [] at once for timeout 0; a message sent later is received as usual', async (t) => {
    const [[a, aPeer], [b]] = await pairs(t);
    assert.deepEqual(await wait([a, b], 200), []);
    assert.deepEqual(await wait([a, b], 0), []);
    aPeer.send('after the waits');
    assert.equal(await a.recv({ timeout: LONG }), 'after the waits');
    assert.equal(await b.poll(), false);
  });

  test('with no timeout (or a long one) it waits until one is ready, and returns that one', async (t) => {
    const [[a], [b, bPeer], [c]] = await pairs(t);
    const waiting = wait([a, b, c]);
    const bounded = wait([a, b, c], LONG);
    await sleep(100);
    bPeer.sendBytes(Buffer.from('wakes b'));
    assert.deepEqual(await waiting, [b]);
    assert.deepEqual(await bounded, [b]);
    assert.deepEqual(await b.recvBytes(undefined, { timeout: LONG }), Buffer.from('wakes b'));
  });

  test('a connection whose peer closed is ready (recv() would not wait: EOFError)', async (t) => {
    const [[a], [b, bPeer]] = await pairs(t);
    const waiting = wait([a, b], LONG);
    bPeer.close();
    assert.deepEqual(await waiting, [b]);
    await assert.rejects(b.recv({ timeout: LONG }), isError(main.EOFError));
    assert.deepEqual(await wait([a, b], 0), [b], 'still ready');
  });

  test('a closed connection in the list: rejects ValueError ERR_CLOSED (given closed, or closed during the wait)', async (t) => {
    const [[a], [b]] = await pairs(t);
    a.close();
    await assert.rejects(wait([a, b], 100), isError(ValueError, 'ERR_CLOSED'));
    const waiting = wait([b], LONG);
    await sleep(50);
    b.close();
    await assert.rejects(waiting, isError(ValueError, 'ERR_CLOSED'));
  });

  test('many short waits in a row leave nothing behind (no listener or timer piles up, no warning)', async (t) => {
    const [[a, aPeer], [b]] = await pairs(t);
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(`${warning.name}: ${warning.message}`);
    };
    process.on('warning', onWarning);
    t.after(() => process.off('warning', onWarning));
    for (let i = 0; i < 300; i++) assert.deepEqual(await wait([a, b], 1), []);
    aPeer.send('still works');
    assert.deepEqual(await wait([a, b], LONG), [a]);
    await sleep(50);
    assert.deepEqual(warnings, []);
  });
});

for (const method of METHODS) {
  describe(`wait() over a mix, with '${method}' processes`, () => {
    test('SocketConnections, Pipe Connections and Processes together: the ready ones in the order given; a process that ended is ready, a running one is not', { timeout: 60_000 }, async (t) => {
      const [[sock, sockPeer], [idleSock]] = await pairs(t);
      const [pipeIn, pipeOut] = pipe(t);
      const [idlePipe] = pipe(t);
      const ended = start(t, method, sleepFor, [0]);
      const running = start(t, method, sleepFor, [60_000]);
      noteProcess(ended.pid);
      noteProcess(running.pid);
      assert.equal(await ended.join(LONG), 0);
      pipeOut.send('pipe message');
      sockPeer.send('socket message');
      await sock.poll(LONG);
      const all: Waitable[] = [idleSock, running, pipeIn, sock, idlePipe, ended];
      assert.deepEqual(await wait(all, LONG), [pipeIn, sock, ended]);
      assert.deepEqual(await wait([ended, sock, pipeIn], 0), [ended, sock, pipeIn]);
      assert.deepEqual(await wait([running, idleSock, idlePipe], 100), []);
      assert.equal(await pipeIn.recv({ timeout: LONG }), 'pipe message');
      assert.equal(await sock.recv({ timeout: LONG }), 'socket message');
      running.kill();
      assert.deepEqual(await wait([idleSock, running, idlePipe], LONG), [running], 'a killed process is ready');
      assert.equal(running.exitcode, -9);
    });

    test('a wait over idle connections returns when a process ends', { timeout: 60_000 }, async (t) => {
      const [[idleSock]] = await pairs(t);
      const [idlePipe] = pipe(t);
      const child = start(t, method, sleepFor, [300]);
      noteProcess(child.pid);
      assert.deepEqual(await wait([idleSock, idlePipe, child], LONG), [child]);
      assert.equal(child.exitcode, 0);
    });

    test('a wait over a running process returns when a Pipe Connection gets a message', { timeout: 60_000 }, async (t) => {
      const [pipeIn, pipeOut] = pipe(t);
      const child = start(t, method, sleepFor, [60_000]);
      noteProcess(child.pid);
      const waiting = wait([child, pipeIn], LONG);
      await sleep(100);
      pipeOut.send('wake up');
      assert.deepEqual(await waiting, [pipeIn]);
      child.kill();
      await child.join(LONG);
    });
  });
}

describe('wait() arguments', () => {
  test('wait([]) is [] at once, with or without a timeout', async () => {
    assert.deepEqual(await wait([]), []);
    assert.deepEqual(await wait([], 0), []);
    assert.deepEqual(await wait([], LONG), []);
  });

  test('not an array, an object that cannot be waited on, a bad timeout: TypeError; an unstarted process: an error, not a hang', async (t) => {
    const [[a]] = await pairs(t);
    await assert.rejects(wait(a as unknown as Waitable[]), TypeError);
    await assert.rejects(wait([a, {} as unknown as Waitable], 0), TypeError);
    await assert.rejects(wait([a, 'x' as unknown as Waitable], LONG), TypeError);
    await assert.rejects(wait([a], -1), TypeError);
    const unstarted = new main.Process({ target: sleepFor, args: [0] });
    await assert.rejects(wait([unstarted, a], LONG), isError(main.ProcessError));
  });
});

test("'multiprocessing-ts/connection' gives Python's multiprocessing.connection names, the same objects as the main entry", () => {
  assert.equal(connection.Listener, main.Listener);
  assert.equal(connection.Client, main.Client);
  assert.equal(connection.SocketConnection, main.SocketConnection);
  assert.equal(connection.Pipe, main.Pipe);
  assert.equal(connection.Connection, main.Connection);
  assert.equal(connection.AuthenticationError, main.AuthenticationError);
  assert.equal(connection.BufferTooShort, main.BufferTooShort);
  assert.equal(connection.EOFError, main.EOFError);
  assert.equal(typeof connection.wait, 'function');
  assert.equal(typeof connection.deliverChallenge, 'function');
  assert.equal(typeof connection.answerChallenge, 'function');
  assert.notEqual(connection.wait, main.wait, "main's wait is concurrent.futures.wait");
});

test('nothing is left behind: no child process, nothing of ours in /dev/shm', async () => {
  await assertNothingLeft(shmBefore);
});
