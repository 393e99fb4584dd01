// Listener/Client across processes: children of both start methods that connect with the
// listener's address and key (or listen themselves), a child killed mid-conversation, unrelated
// programs (plain node, and CPython's multiprocessing.connection when python3 is there).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AuthenticationError, BrokenPipeError, Client, EOFError, Pipe, currentProcess, type Address, type SocketConnection } from 'multiprocessing-ts';
import { echoPeer, hashPeer, helloThenHang, inheritedKeyPeer, listeningChild, wrongKeyPeer, type Echo } from '../fixtures/socket-conn-targets.ts';
import { isDead, waitFor } from '../helpers.ts';
import { METHODS, joinAll, start } from '../synchronize/_util.ts';
import {
  KINDS,
  LONG,
  addressArg,
  assertNothingLeft,
  closeAfter,
  exitWithin,
  hasPython,
  isError,
  listen,
  noteProcess,
  shmSegments,
  startNode,
  startProgram,
  type Kind,
} from './_socket.ts';

const isEOF = isError(EOFError, 'ERR_EOF');
const isEPIPE = isError(BrokenPipeError, 'EPIPE');
const isAuth = isError(AuthenticationError, 'ERR_AUTHENTICATION');
const KEY = Buffer.from('key shared with the children');

/** Starts a child (cleaned up after the test) and notes its pid for the end-of-file check. */
function startChild(...args: Parameters<typeof start>): ReturnType<typeof start> {
  const child = start(...args);
  noteProcess(child.pid);
  return child;
}

let shmBefore: Set<string>;
before(() => {
  shmBefore = shmSegments();
});

/** A message of each kind, for the conversations. */
const SAMPLES: unknown[] = [
  'text with emoji 😀 and a lone \uD800',
  12345678901234567890n,
  new Map<string, unknown>([['set', new Set([1, 2])], ['date', new Date(1_700_000_000_000)]]),
  new Float32Array([1.5, 2.5]),
  Buffer.from('bytes'),
  { nested: { list: [1, [2, [3]]] } },
];

for (const method of METHODS) {
  describe(`children on '${method}'`, () => {
    for (const kind of KINDS) {
      test(`over ${kind}: a child given the address and the key connects; messages of every kind go both ways; it ends cleanly`, { timeout: 60_000 }, async (t) => {
        const listener = await listen(t, kind, { authkey: KEY });
        const child = startChild(t, method, echoPeer, [listener.address, KEY]);
        const conn = await listener.accept({ timeout: LONG });
        closeAfter(t, conn);
        conn.send('greetings from the parent');
        const hello = (await conn.recv({ timeout: LONG })) as { greeting: unknown; pid: number; threadId: number; name: string };
        assert.equal(hello.greeting, 'greetings from the parent');
        assert.equal(hello.name, child.name, 'the child is the one we started');
        if (method === 'spawn') assert.notEqual(hello.pid, process.pid, 'another process');
        else assert.ok(hello.pid === process.pid && hello.threadId !== 0, 'a thread of this process');
        for (const sample of SAMPLES) conn.send(sample);
        for (const sample of SAMPLES) assert.deepStrictEqual(((await conn.recv({ timeout: LONG })) as Echo).echo, sample);
        for (let i = 0; i < 200; i++) conn.send(i);
        for (let i = 0; i < 200; i++) assert.equal(((await conn.recv({ timeout: LONG })) as Echo).echo, i);
        conn.send('bye');
        assert.equal(await conn.recv({ timeout: LONG }), 'bye');
        await assert.rejects(conn.recv({ timeout: LONG }), isEOF, 'the child closed its end');
        await joinAll([child]);
      });
    }

    test('a child authenticates with the key it inherited (currentProcess().authkey)', { timeout: 60_000 }, async (t) => {
      const listener = await listen(t, 'abstract', { authkey: currentProcess().authkey });
      const child = startChild(t, method, inheritedKeyPeer, [listener.address]);
      const conn = await listener.accept({ timeout: LONG });
      closeAfter(t, conn);
      conn.send('who are you?');
      const answer = (await conn.recv({ timeout: LONG })) as { answer: string; pid: number };
      assert.equal(answer.answer, 'who are you?');
      if (method === 'spawn') assert.equal(answer.pid, child.pid);
      await joinAll([child]);
    });

    test('a child with the wrong key: AuthenticationError in the child and in accept()', { timeout: 60_000 }, async (t) => {
      const listener = await listen(t, 'tcp', { authkey: KEY });
      const child = startChild(t, method, wrongKeyPeer, [listener.address, Buffer.from('not the key')]);
      await assert.rejects(listener.accept({ timeout: LONG }), isAuth);
      await joinAll([child]); // 0: the child saw AuthenticationError (anything else: 1)
    });

    test('20 MB Buffers to a child and its hashes back', { timeout: 120_000 }, async (t) => {
      const listener = await listen(t, 'abstract');
      const child = startChild(t, method, hashPeer, [listener.address]);
      const conn = await listener.accept({ timeout: LONG });
      closeAfter(t, conn);
      const buffers = [0x11, 0x22, 0x33].map((fill, i) => {
        const b = Buffer.alloc((20 << 20) + i, fill);
        b.writeUInt32BE(i, 1000);
        return b;
      });
      for (const b of buffers) conn.sendBytes(b);
      for (const b of buffers) {
        assert.deepEqual(await conn.recv({ timeout: 60_000 }), { length: b.length, sha256: createHash('sha256').update(b).digest('hex') });
      }
      conn.close();
      await joinAll([child]);
    });

    test('a child killed mid-conversation: what it sent, then EOFError for the recv() waiting; poll() true; send() BrokenPipeError', { timeout: 60_000 }, async (t) => {
      const listener = await listen(t, 'tcp');
      const child = startChild(t, method, helloThenHang, [listener.address]);
      const conn = await listener.accept({ timeout: LONG });
      closeAfter(t, conn);
      assert.equal(await conn.recv({ timeout: LONG }), 'hello');
      const childPid = (await conn.recv({ timeout: LONG })) as number;
      const waiting = conn.recv({ timeout: LONG });
      child.kill();
      await assert.rejects(waiting, isEOF);
      assert.equal(await child.join(10_000), -9);
      if (method === 'spawn') assert.ok(await waitFor(() => isDead(childPid), 10_000), `child ${childPid} is gone`);
      assert.equal(await conn.poll(), true);
      let error: unknown = null;
      await waitFor(() => {
        try {
          conn.send('to the dead');
          return false;
        } catch (e) {
          error = e;
          return true;
        }
      }, 10_000);
      assert.ok(isEPIPE(error), `send() to a killed child: ${String(error)}`);
    });

    for (const kind of ['tcp', 'abstract'] as const satisfies readonly Kind[]) {
      test(`a child listens (over ${kind}) and this process connects as the Client`, { timeout: 60_000 }, async (t) => {
        const [report, childEnd] = Pipe<unknown>(false);
        const child = startChild(t, method, listeningChild, [childEnd, kind === 'tcp' ? ['127.0.0.1', 0] : null, KEY]);
        childEnd.close();
        const address = (await report.recv({ timeout: LONG })) as Address;
        report.close();
        if (kind === 'tcp') assert.ok(Array.isArray(address) && address[1] > 0, `a real port: ${JSON.stringify(address)}`);
        const conn = await Client(address, { authkey: KEY, timeout: LONG });
        closeAfter(t, conn);
        assert.equal(await conn.recv({ timeout: LONG }), 'welcome from the child');
        conn.send(new Set(['from the parent']));
        const reply = (await conn.recv({ timeout: LONG })) as { got: unknown; pid: number };
        assert.deepStrictEqual(reply.got, new Set(['from the parent']));
        if (method === 'spawn') assert.equal(reply.pid, child.pid);
        conn.close();
        await joinAll([child]);
      });
    }
  });
}

describe('unrelated programs', () => {
  for (const kind of KINDS) {
    test(`a plain node program (not started by the library) connects over ${kind} with the key and talks`, { timeout: 60_000 }, async (t) => {
      const listener = await listen(t, kind, { authkey: KEY });
      const program = startNode(t, 'socket-plain-peer.mjs', ['client', addressArg(listener.address), KEY.toString('hex')]);
      noteProcess(program.pid);
      const conn = await listener.accept({ timeout: LONG });
      closeAfter(t, conn);
      conn.send('hello, stranger');
      const hello = (await conn.recv({ timeout: LONG })) as { greeting: string; pid: number; kinds: Map<string, unknown> };
      assert.equal(hello.greeting, 'hello, stranger');
      assert.equal(hello.pid, program.pid);
      assert.deepStrictEqual(hello.kinds, new Map<string, unknown>([['set', new Set([1, 2])], ['big', 2n ** 64n]]));
      conn.send([1, 'two']);
      assert.deepStrictEqual(await conn.recv({ timeout: LONG }), { echo: [1, 'two'] });
      conn.send('bye');
      await assert.rejects(conn.recv({ timeout: LONG }), isEOF);
      const { code } = await exitWithin(program, 30_000);
      assert.equal(code, 0, program.stderr());
    });
  }

  test('a plain node program listens; this process connects with the key', { timeout: 60_000 }, async (t) => {
    const program = startNode(t, 'socket-plain-peer.mjs', ['listen', 'null', KEY.toString('hex')]);
    noteProcess(program.pid);
    const address = JSON.parse(await program.line()) as Address;
    const conn = await Client(address, { authkey: KEY, timeout: LONG });
    closeAfter(t, conn);
    assert.deepEqual(await conn.recv({ timeout: LONG }), { greeting: 'hello from the plain program', pid: program.pid });
    conn.send({ answer: 42, text: 'ünïcödé' });
    assert.deepEqual(JSON.parse(await program.line()), { answer: 42, text: 'ünïcödé' });
    const { code } = await exitWithin(program, 30_000);
    assert.equal(code, 0, program.stderr());
    await assert.rejects(conn.recv({ timeout: LONG }), isEOF);
  });

  test('a plain node program SIGKILLed mid-conversation: EOFError for the recv() waiting', { timeout: 60_000 }, async (t) => {
    const listener = await listen(t, 'tcp', { authkey: KEY });
    const program = startNode(t, 'socket-plain-peer.mjs', ['client', addressArg(listener.address), KEY.toString('hex')]);
    noteProcess(program.pid);
    const conn = await listener.accept({ timeout: LONG });
    closeAfter(t, conn);
    conn.send('hello');
    await conn.recv({ timeout: LONG });
    const waiting = conn.recv({ timeout: LONG });
    process.kill(program.pid, 'SIGKILL');
    await assert.rejects(waiting, isEOF);
    assert.equal((await exitWithin(program, 10_000)).signal, 'SIGKILL');
  });

  const noPython = hasPython() ? false : 'python3 with multiprocessing.connection is not installed';

  test('CPython\'s multiprocessing.connection Client (no key) talks to our Listener (TCP, socket file) with send_bytes/recv_bytes', { skip: noPython, timeout: 60_000 }, async (t) => {
    for (const kind of ['tcp', 'path'] as const satisfies readonly Kind[]) {
      const listener = await listen(t, kind);
      const address = listener.address;
      const pyAddress = typeof address === 'string' ? JSON.stringify(address) : `(${JSON.stringify(address[0])}, ${address[1]})`;
      const program = startProgram(t, 'python3', [
        '-c',
        [
          'from multiprocessing.connection import Client',
          `c = Client(${pyAddress})`,
          'm = c.recv_bytes()',
          "c.send_bytes(m.upper() + b' from python')",
          "c.send_bytes(b'x' * 100000)",
          'print(c.recv_bytes().decode(), flush=True)',
          'c.close()',
        ].join('\n'),
      ]);
      noteProcess(program.pid);
      const conn: SocketConnection = await listener.accept({ timeout: LONG });
      closeAfter(t, conn);
      conn.sendBytes(Buffer.from('hello'));
      assert.equal((await conn.recvBytes(undefined, { timeout: LONG })).toString(), 'HELLO from python');
      assert.deepEqual(await conn.recvBytes(undefined, { timeout: LONG }), Buffer.alloc(100_000, 'x'));
      conn.sendBytes(Buffer.from('bye from node'));
      assert.equal(await program.line(), 'bye from node');
      await assert.rejects(conn.recv({ timeout: LONG }), isEOF);
      assert.equal((await exitWithin(program, 30_000)).code, 0, program.stderr());
    }
  });

  test('our Client (no key) talks to CPython\'s Listener with sendBytes/recvBytes', { skip: noPython, timeout: 60_000 }, async (t) => {
    const program = startProgram(t, 'python3', [
      '-c',
      [
        'from multiprocessing.connection import Listener',
        "l = Listener(('127.0.0.1', 0))",
        'print(l.address[1], flush=True)',
        'c = l.accept()',
        "c.send_bytes(b'from python ' + c.recv_bytes())",
        'c.close()',
        'l.close()',
      ].join('\n'),
    ]);
    noteProcess(program.pid);
    const port = Number(await program.line());
    const conn = await Client(['127.0.0.1', port], { timeout: LONG });
    closeAfter(t, conn);
    conn.sendBytes(Buffer.from('and node'));
    assert.equal((await conn.recvBytes(undefined, { timeout: LONG })).toString(), 'from python and node');
    await assert.rejects(conn.recv({ timeout: LONG }), isEOF);
    assert.equal((await exitWithin(program, 30_000)).code, 0, program.stderr());
  });

  test("our Client with an authkey is accepted by CPython's Listener with the same key, and refused with another", { skip: noPython, timeout: 60_000 }, async (t) => {
    for (const right of [true, false]) {
      const program = startProgram(t, 'python3', [
        '-c',
        [
          'from multiprocessing.connection import Listener',
          'from multiprocessing import AuthenticationError',
          `l = Listener(('127.0.0.1', 0), authkey=bytes.fromhex('${KEY.toString('hex')}'))`,
          'print(l.address[1], flush=True)',
          'try:',
          '    c = l.accept()',
          "    c.send_bytes(b'python heard ' + c.recv_bytes())",
          '    c.close()',
          'except AuthenticationError:',
          "    print('refused', flush=True)",
          'l.close()',
        ].join('\n'),
      ]);
      noteProcess(program.pid);
      const port = Number(await program.line());
      const key = right ? KEY : Buffer.from('another key');
      if (right) {
        const conn = await Client(['127.0.0.1', port], { authkey: key, timeout: LONG });
        closeAfter(t, conn);
        conn.sendBytes(Buffer.from('the key'));
        assert.equal((await conn.recvBytes(undefined, { timeout: LONG })).toString(), 'python heard the key');
      } else {
        await assert.rejects(Client(['127.0.0.1', port], { authkey: key, timeout: LONG }), (e: unknown) => e instanceof AuthenticationError);
        assert.equal(await program.line(), 'refused');
      }
      assert.equal((await exitWithin(program, 30_000)).code, 0, program.stderr());
    }
  });

  test('CPython\'s Client authenticates with our Listener (same authkey)', {
    skip: noPython,
    timeout: 60_000,
  }, async (t) => {
    const listener = await listen(t, 'tcp', { authkey: KEY });
    const [, port] = listener.address as readonly [string, number];
    const program = startProgram(t, 'python3', [
      '-c',
      ['from multiprocessing.connection import Client', `c = Client(('127.0.0.1', ${port}), authkey=bytes.fromhex('${KEY.toString('hex')}'))`, "c.send_bytes(b'authenticated')", 'c.close()'].join('\n'),
    ]);
    noteProcess(program.pid);
    const conn = await listener.accept({ timeout: LONG });
    closeAfter(t, conn);
    assert.equal((await conn.recvBytes(undefined, { timeout: LONG })).toString(), 'authenticated');
    assert.equal((await exitWithin(program, 30_000)).code, 0, program.stderr());
  });
});

test('nothing is left behind: no child process, nothing of ours in /dev/shm', async () => {
  await assertNothingLeft(shmBefore);
});
