// Listener and Client: ready and address, lastAccepted, accept() timeouts and signals, queued
// connections, close() (pending accepts, the socket file), addresses in use, refused
// connections, argument checks, and whether a program with listeners and connections open
// exits by itself.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Client, EOFError, Listener, TimeoutError, ValueError, type Address } from 'multiprocessing-ts';
import { wait } from 'multiprocessing-ts/connection';
import { sleep } from '../helpers.ts';
import {
  KINDS,
  LONG,
  addressArg,
  addressFor,
  assertNothingLeft,
  closeAfter,
  exitWithin,
  isError,
  listen,
  shmSegments,
  startNode,
  startProgram,
  tempDir,
  type Kind,
} from './_socket.ts';

const isClosed = isError(ValueError, 'ERR_CLOSED');
const isNotReady = isError(ValueError, 'ERR_NOT_READY');
const isTimeout = isError(TimeoutError, 'ERR_TIMEOUT');
const isEOF = isError(EOFError, 'ERR_EOF');

function withCode(code: string | readonly string[]): (e: unknown) => boolean {
  const codes = typeof code === 'string' ? [code] : code;
  return (e: unknown) => e instanceof Error && codes.includes((e as NodeJS.ErrnoException).code ?? '');
}

let shmBefore: Set<string>;
before(() => {
  shmBefore = shmSegments();
});

describe('ready and address', () => {
  test('TCP on port 0: address is [host, the real port] once ready; before, it throws ValueError ERR_NOT_READY', async (t) => {
    const listener = new Listener(['127.0.0.1', 0]);
    t.after(() => listener.close());
    assert.throws(() => listener.address, isNotReady);
    assert.match(inspect(listener), /Listener binding/);
    await listener.ready;
    const [host, port] = listener.address as readonly [string, number];
    assert.equal(host, '127.0.0.1');
    assert.ok(Number.isInteger(port) && port > 0 && port < 65536, `port ${port}`);
    assert.match(inspect(listener), new RegExp(`Listener 127\\.0\\.0\\.1:${port}`));
    assert.equal(listener.closed, false);
    assert.equal(listener.lastAccepted, null, 'nothing accepted yet');
    // The port is really ours: a Client reaches this listener there.
    const [server, client] = await Promise.all([listener.accept({ timeout: LONG }), Client(['127.0.0.1', port])]);
    closeAfter(t, server, client);
    assert.deepEqual(client.remoteAddress, ['127.0.0.1', port]);
    assert.deepEqual(listener.lastAccepted, server.remoteAddress);
    const [peerHost, peerPort] = listener.lastAccepted as readonly [string, number];
    assert.equal(peerHost, '127.0.0.1');
    assert.ok(Number.isInteger(peerPort) && peerPort > 0 && peerPort !== port, 'the client\'s own port');
  });

  test('the default address is a fresh abstract Unix socket (Linux): no file; two listeners get two addresses', async (t) => {
    const a = await listen(t, 'abstract');
    const b = await listen(t, 'abstract');
    assert.equal(typeof a.address, 'string');
    const name = a.address as string;
    assert.ok(name.startsWith('\0'), `abstract: ${JSON.stringify(name)}`);
    assert.match(name, new RegExp(`mpts-listener-${process.pid}-`));
    assert.notEqual(a.address, b.address);
    assert.equal(existsSync(name.slice(1)), false);
    assert.match(inspect(a), /Listener @mpts-listener-/);
    const [server, client] = await Promise.all([a.accept({ timeout: LONG }), Client(a.address)]);
    closeAfter(t, server, client);
    assert.equal(typeof a.lastAccepted, 'string');
    client.send('reached the default address');
    assert.equal(await server.recv({ timeout: LONG }), 'reached the default address');
  });

  test('a socket path: the file is a socket while listening; close() unlinks it; a Client then gets ENOENT', async (t) => {
    const path = join(tempDir(t), 'my.sock');
    const listener = new Listener(path);
    t.after(() => listener.close());
    await listener.ready;
    assert.equal(listener.address, path);
    assert.ok(statSync(path).isSocket());
    const [server, client] = await Promise.all([listener.accept({ timeout: LONG }), Client(path)]);
    closeAfter(t, server, client);
    listener.close();
    assert.equal(existsSync(path), false, 'close() removed the socket file');
    assert.equal(listener.closed, true);
    // Connections already made outlive their listener, as in Python.
    client.send('still connected');
    assert.equal(await server.recv({ timeout: LONG }), 'still connected');
    await assert.rejects(Client(path), (e: unknown) => withCode('ENOENT')(e) && (e as Error).message.includes(path));
  });
});

for (const kind of KINDS) {
  describe(`Listener over ${kind}`, () => {
    test('close(): pending accept() calls reject ValueError ERR_CLOSED, later ones too; close() twice is fine; a Client is refused', async (t) => {
      const listener = await listen(t, kind);
      const address = listener.address;
      const pending = [listener.accept(), listener.accept({ timeout: LONG })];
      await sleep(20);
      listener.close();
      listener.close();
      for (const p of pending) await assert.rejects(p, isClosed);
      await assert.rejects(listener.accept(), isClosed);
      await assert.rejects(listener.accept({ timeout: 10 }), isClosed);
      assert.equal(listener.closed, true);
      assert.match(inspect(listener), /closed/);
      const refused = kind === 'tcp' ? ['ECONNREFUSED'] : ['ENOENT', 'ECONNREFUSED'];
      await assert.rejects(Client(address), (e: unknown) => {
        assert.ok(withCode(refused)(e), `Client() to a closed listener: ${String(e)}`);
        assert.match((e as Error).message, /Client\(\): cannot connect to/);
        return true;
      });
      await assert.rejects(Client(address, { timeout: LONG }), withCode(refused));
    });

    test('connections that arrive before accept() wait for it, with what they sent; close() drops those never accepted (their clients see EOF)', async (t) => {
      const listener = await listen(t, kind);
      const clients = closeAfter(t, ...(await Promise.all([0, 1, 2].map(() => Client(listener.address)))));
      clients.forEach((client, i) => client.send(`sent before accept ${i}`));
      const got = new Set<unknown>();
      for (let i = 0; i < 2; i++) {
        const server = await listener.accept({ timeout: LONG });
        closeAfter(t, server);
        got.add(await server.recv({ timeout: LONG }));
      }
      assert.equal(got.size, 2);
      for (const message of got) assert.match(String(message), /^sent before accept [0-2]$/);
      listener.close();
      // The third was never accepted: its connection ends (and only its own).
      const ended = await wait(clients, LONG);
      assert.equal(ended.length, 1, 'exactly one client sees its connection end');
      await assert.rejects(ended[0].recv({ timeout: LONG }), isEOF);
      for (const client of clients) if (client !== ended[0]) assert.equal(await client.poll(100), false);
    });

    test('a client that sent a message and closed before accept(): the accepted connection delivers it, then EOF', async (t) => {
      const listener = await listen(t, kind);
      const client = await Client(listener.address);
      client.send('said and gone');
      client.close();
      await sleep(200);
      const server = await listener.accept({ timeout: LONG });
      closeAfter(t, server);
      assert.equal(await server.recv({ timeout: LONG }), 'said and gone');
      await assert.rejects(server.recv({ timeout: LONG }), isEOF);
    });

    test('several accept() calls waiting together: each gets its own connection', async (t) => {
      const listener = await listen(t, kind);
      const accepting = [0, 1, 2].map(() => listener.accept({ timeout: LONG }));
      await sleep(20);
      const clients = closeAfter(t, ...(await Promise.all([0, 1, 2].map(() => Client(listener.address)))));
      const servers = closeAfter(t, ...(await Promise.all(accepting)));
      assert.equal(new Set(servers).size, 3);
      clients.forEach((client, i) => client.send(i));
      const seen = await Promise.all(servers.map((server) => server.recv({ timeout: LONG })));
      assert.deepEqual([...seen].sort(), [0, 1, 2]);
    });

    test('accept({ timeout }): TimeoutError ERR_TIMEOUT; the next connection goes to the next accept(), not the timed-out one', async (t) => {
      const listener = await listen(t, kind);
      await assert.rejects(listener.accept({ timeout: 100 }), (e: unknown) => isTimeout(e) && /no connection within 100 ms/.test((e as Error).message));
      await assert.rejects(listener.accept({ timeout: 0 }), isTimeout);
      const client = await Client(listener.address);
      closeAfter(t, client);
      const server = await listener.accept({ timeout: LONG });
      closeAfter(t, server);
      client.send('to the next accept');
      assert.equal(await server.recv({ timeout: LONG }), 'to the next accept');
    });

    test('accept({ signal }): rejects with the reason (aborted while waiting, or before); the next accept() still works', async (t) => {
      const listener = await listen(t, kind);
      const stop = new AbortController();
      const reason = new Error('no longer accepting');
      const waiting = listener.accept({ signal: stop.signal });
      await sleep(20);
      stop.abort(reason);
      await assert.rejects(waiting, (e: unknown) => e === reason);
      await assert.rejects(listener.accept({ signal: AbortSignal.abort('before') }), (e: unknown) => e === 'before');
      const [server, client] = await Promise.all([listener.accept({ signal: new AbortController().signal, timeout: LONG }), Client(listener.address)]);
      closeAfter(t, server, client);
      client.send('accepted after the aborts');
      assert.equal(await server.recv({ timeout: LONG }), 'accepted after the aborts');
    });

    test('binding an address in use: ready and accept() reject with EADDRINUSE, address says so; the first listener is unharmed', async (t) => {
      const first = await listen(t, kind);
      const second = new Listener(first.address);
      t.after(() => second.close());
      await assert.rejects(second.ready, withCode('EADDRINUSE'));
      await assert.rejects(second.accept({ timeout: LONG }), withCode('EADDRINUSE'));
      assert.throws(() => second.address, (e: unknown) => isNotReady(e) && /EADDRINUSE/.test((e as Error).message));
      second.close();
      if (kind === 'path') assert.ok(existsSync(first.address as string), 'closing the failed listener left the other\'s socket file alone');
      const [server, client] = await Promise.all([first.accept({ timeout: LONG }), Client(first.address)]);
      closeAfter(t, server, client);
      client.send('the first still listens');
      assert.equal(await server.recv({ timeout: LONG }), 'the first still listens');
    });

    test('`await using` closes the listener at the end of the block', async (t) => {
      const address = addressFor(t, kind);
      let kept: Listener | null = null;
      {
        await using listener = new Listener(address);
        kept = listener;
        await listener.ready;
      }
      assert.equal(kept.closed, true);
      await assert.rejects(kept.accept(), isClosed);
      if (kind === 'path') assert.equal(existsSync(address as string), false);
    });
  });
}

describe('arguments and odd cases', () => {
  test('Listener() and Client() check their arguments: bad addresses TypeError, an empty path ValueError, a bad backlog ValueError, a negative timeout TypeError', async () => {
    const badAddresses: unknown[] = [['127.0.0.1'], ['127.0.0.1', 70_000], ['127.0.0.1', -1], ['127.0.0.1', 1.5], [1, 2], 42, {}, ['h', 1, 2]];
    for (const address of badAddresses) {
      assert.throws(() => new Listener(address as Address), TypeError, `Listener(${JSON.stringify(address)})`);
      await assert.rejects(Client(address as Address), TypeError, `Client(${JSON.stringify(address)})`);
    }
    assert.throws(() => new Listener(''), ValueError);
    await assert.rejects(Client(''), ValueError);
    for (const backlog of [0, -1, 1.5]) assert.throws(() => new Listener(['127.0.0.1', 0], { backlog }), ValueError, `backlog ${backlog}`);
    await assert.rejects(Client(['127.0.0.1', 1], { timeout: -1 }), TypeError);
  });

  test('a backlog of 1 still serves connections one after another', async (t) => {
    const listener = new Listener(['127.0.0.1', 0], { backlog: 1 });
    t.after(() => listener.close());
    await listener.ready;
    for (let i = 0; i < 3; i++) {
      const [server, client] = await Promise.all([listener.accept({ timeout: LONG }), Client(listener.address)]);
      closeAfter(t, server, client);
      client.send(i);
      assert.equal(await server.recv({ timeout: LONG }), i);
    }
  });

  test('a path where a regular file is: EADDRINUSE, and the file is left alone', async (t) => {
    const path = join(tempDir(t), 'not-a-socket');
    writeFileSync(path, 'precious');
    const listener = new Listener(path);
    t.after(() => listener.close());
    await assert.rejects(listener.ready, withCode('EADDRINUSE'));
    listener.close();
    assert.ok(existsSync(path));
    await assert.rejects(Client(path), withCode(['ECONNREFUSED', 'ENOTSOCK']));
  });

  test('a socket path in a directory that does not exist: ready and accept() reject (libuv reports EACCES where Python says ENOENT), naming the path', async (t) => {
    const path = join(tempDir(t), 'no', 'such', 'dir', 'l.sock');
    const listener = new Listener(path);
    t.after(() => listener.close());
    await assert.rejects(listener.ready, (e: unknown) => withCode(['ENOENT', 'EACCES'])(e) && (e as Error).message.includes(path));
    await assert.rejects(listener.accept({ timeout: LONG }), withCode(['ENOENT', 'EACCES']));
    assert.throws(() => listener.address, isNotReady);
  });

  test('Client() to a port nobody listens on: ECONNREFUSED, naming the address', async () => {
    const probe = new Listener(['127.0.0.1', 0]);
    await probe.ready;
    const address = probe.address;
    probe.close();
    await assert.rejects(Client(address), (e: unknown) => withCode('ECONNREFUSED')(e) && (e as Error).message.includes(`127.0.0.1:${(address as readonly [string, number])[1]}`));
  });

  test('Client({ timeout }): TimeoutError when the connection cannot be made in time (a listener whose accept queue is full)', { timeout: 60_000 }, async (t) => {
    // A program that listens with a backlog of 1 and then blocks its event loop: it never accepts.
    const program = startProgram(t, process.execPath, [
      '-e',
      "const s = require('net').createServer(); s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => { console.log(s.address().port); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000); });",
    ]);
    const port = Number(await program.line());
    for (let i = 0; i < 4; i++) {
      const socket = createConnection(port, '127.0.0.1');
      socket.on('error', () => {});
      t.after(() => {
        socket.destroy();
      });
    }
    await sleep(300); // the queue is full now: a new connection is not answered
    await assert.rejects(Client(['127.0.0.1', port], { timeout: 500 }), (e: unknown) => isTimeout(e) && /could not connect to 127\.0\.0\.1:\d+ within 500 ms/.test((e as Error).message));
    await assert.rejects(Client(['127.0.0.1', port], { timeout: 300, authkey: Buffer.from('k') }), isTimeout);
  });

  test("a host name: ['localhost', 0] keeps the name and a Client reaches it", async (t) => {
    const listener = new Listener(['localhost', 0]);
    t.after(() => listener.close());
    await listener.ready;
    const [host, port] = listener.address as readonly [string, number];
    assert.equal(host, 'localhost');
    assert.ok(port > 0);
    const [server, client] = await Promise.all([listener.accept({ timeout: LONG }), Client(listener.address)]);
    closeAfter(t, server, client);
    client.send('via localhost');
    assert.equal(await server.recv({ timeout: LONG }), 'via localhost');
  });

  test('close() right after the constructor, before it is bound: ready settles and accept() rejects instead of waiting for ever', {
  }, async (t) => {
    for (const kind of KINDS) {
      const listener = new Listener(addressFor(t, kind));
      listener.close();
      const ready = await Promise.race([listener.ready.then(() => 'resolved', () => 'rejected'), sleep(1000).then(() => 'pending')]);
      const accept = await Promise.race([listener.accept().then(() => 'accepted', (e: unknown) => (isClosed(e) ? 'ERR_CLOSED' : String(e))), sleep(1000).then(() => 'pending')]);
      assert.deepEqual({ kind, ready: ready === 'pending' ? 'pending' : 'settled', accept }, { kind, ready: 'settled', accept: 'ERR_CLOSED' });
    }
  });
});

describe('a program with listeners and connections open exits by itself', () => {
  test('listeners of the three kinds, idle connections with unread messages both ways, finished waits: the program exits 0 and its socket file is gone', { timeout: 60_000 }, async (t) => {
    const path = join(tempDir(t), 'driver.sock');
    const program = startNode(t, 'socket-driver.ts', ['idle', path]);
    const { code } = await exitWithin(program, 30_000);
    assert.equal(code, 0, program.stderr());
    assert.equal(program.stdout(), 'done\n');
    assert.equal(existsSync(path), false, 'the socket file was removed at exit (Python unlinks it at exit too)');
  });

  test('a connection that arrived but was never accepted does not keep the program alive', {
    timeout: 60_000,
  }, async (t) => {
    const program = startNode(t, 'socket-driver.ts', ['unaccepted']);
    const { code } = await exitWithin(program, 10_000);
    assert.equal(code, 0, program.stderr());
    assert.equal(program.stdout(), 'done\n');
  });

  test('a pending accept() keeps the program alive until a connection comes', { timeout: 60_000 }, async (t) => {
    const program = startNode(t, 'socket-driver.ts', ['pending-accept']);
    const address = JSON.parse(await program.line()) as Address;
    await sleep(500); // the program waits in accept(), with nothing else to do
    const client = await Client(address, { timeout: LONG });
    closeAfter(t, client);
    client.send('ping');
    const { code } = await exitWithin(program, 30_000);
    assert.equal(code, 0, `exit code ${code} (13: the pending accept did not keep it alive); ${program.stderr()}`);
    assert.equal(program.stdout().split('\n')[1], 'got ping');
  });

  for (const mode of ['pending-recv', 'pending-wait'] as const) {
    test(`a ${mode === 'pending-recv' ? 'pending recv()' : 'pending wait()'} keeps the program alive until a message comes`, { timeout: 60_000 }, async (t) => {
      const listener = await listen(t, 'abstract' satisfies Kind);
      const program = startNode(t, 'socket-driver.ts', [mode, addressArg(listener.address)]);
      const server = await listener.accept({ timeout: LONG });
      closeAfter(t, server);
      assert.equal(await program.line(), 'connected');
      await sleep(500); // the program waits, with nothing else to do
      server.send('pong');
      const { code } = await exitWithin(program, 30_000);
      assert.equal(code, 0, `exit code ${code} (13: the wait did not keep it alive); ${program.stderr()}`);
      const lines = program.stdout().trim().split('\n');
      assert.equal(lines.at(-1), 'got pong');
      if (mode === 'pending-wait') assert.equal(lines[1], 'ready 1');
    });
  }

  test('a program that sends 20 MB, closes and falls off the end: everything arrives before it exits, then EOF', { timeout: 60_000 }, async (t) => {
    const listener = await listen(t, 'tcp');
    const program = startNode(t, 'socket-driver.ts', ['send-and-exit', addressArg(listener.address)]);
    const server = await listener.accept({ timeout: LONG });
    closeAfter(t, server);
    assert.equal(await program.line(), 'sent');
    await sleep(500); // the reader is slow: the program has to wait for it
    const bytes = await server.recvBytes(undefined, { timeout: LONG });
    assert.ok(bytes.equals(Buffer.alloc(20 << 20, 0x42)), `${bytes.length} bytes, all as sent`);
    assert.equal(await server.recv({ timeout: LONG }), 'the last word');
    await assert.rejects(server.recv({ timeout: LONG }), isEOF);
    assert.equal((await exitWithin(program, 30_000)).code, 0, program.stderr());
  });

  test('a peer that connects and resets before accept() neither crashes the listening program nor leaves accept() a connection that never ends', {
    timeout: 60_000,
  }, async (t) => {
    const program = startNode(t, 'socket-driver.ts', ['reset-before-accept']);
    const { code } = await exitWithin(program, 30_000);
    assert.equal(code, 0, `the program died: ${program.stderr().split('\n').find((line) => /Error/.test(line)) ?? program.stderr()}`);
    assert.match(program.stdout().trim(), /^(accept: TimeoutError|connection, then EOFError)$/);
  });
});

test('nothing is left behind: no child process, nothing of ours in /dev/shm', async () => {
  await assertNothingLeft(shmBefore);
});
