// P9: net.Socket and net.Server as arguments of pool tasks and processes (the seeds' socket
// chat servers), through the addon's resource sharer.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Pool, Process, SerializationError } from 'multiprocessing-ts';
import { serveFromChild, talk } from '../fixtures/socket-targets.ts';

const METHODS = ['spawn', 'thread'] as const;

async function listen(onConnection: (conn: net.Socket) => void): Promise<[net.Server, number]> {
  const server = net.createServer({ pauseOnConnect: true }, onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return [server, (server.address() as net.AddressInfo).port];
}

/** Sends each line and waits for its reply; returns the replies. */
async function chat(port: number, lines: string[]): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const replies: string[] = [];
  for (const line of lines) {
    socket.write(line);
    replies.push(String(await new Promise<Buffer>((resolve) => socket.once('data', resolve))));
  }
  socket.end();
  return replies;
}

async function readAll(port: number): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  return text;
}

for (const method of METHODS) {
  describe(`sockets to pool tasks on '${method}'`, () => {
    test("the seed's pool chat server: every connection is served by a worker, concurrently", async (t) => {
      const pool = new Pool({ processes: 2, context: method });
      t.after(() => pool.terminate());
      const served: Promise<string>[] = [];
      const [server, port] = await listen((conn) => served.push(pool.apply(talk, [conn])));
      t.after(() => server.close());
      const conversations = [['hello', 'world'], ['ni hao'], ['a', 'b', 'c'], ['x'], ['last one']];
      const replies = await Promise.all(conversations.map((lines) => chat(port, lines)));
      assert.deepEqual(replies, conversations.map((lines) => lines.map((line) => line.toUpperCase())));
      const by = await Promise.all(served);
      assert.equal(by.length, conversations.length);
      for (const who of by) assert.notEqual(who, `${process.pid}:0`, 'served in a worker, not in this thread');
    });
  });
}

describe('sockets to processes', () => {
  test("the seed's process chat server: a connection as a Process argument ('spawn')", async (t) => {
    const children: Process[] = [];
    const [server, port] = await listen((conn) => {
      const p = new Process({ target: talk, args: [conn] });
      p.start();
      children.push(p);
    });
    t.after(() => server.close());
    t.after(() => children.forEach((p) => p.exitcode === null && p.kill()));
    assert.deepEqual(await chat(port, ['one', 'two']), ['ONE', 'TWO']);
    assert.deepEqual(await Promise.all(children.map((p) => p.join(20_000))), [0]);
  });

  test('a listening net.Server is shared: the child accepts on it once this process closes its own', async (t) => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const child = new Process({ target: serveFromChild, args: [server, 2] });
    child.start();
    t.after(() => child.exitcode === null && child.kill());
    server.close(); // ours stops accepting; the child's copy still listens
    const replies = [await readAll(port), await readAll(port)];
    for (const reply of replies) assert.equal(reply, `served by ${child.pid}`);
    assert.equal(await child.join(20_000), 0);
  });

  test('a socket that is not connected cannot be sent: SerializationError at start()', () => {
    const socket = new net.Socket();
    const p = new Process({ target: talk, args: [socket] });
    assert.throws(() => p.start(), (e: unknown) => e instanceof SerializationError && /no open descriptor/.test((e as Error).message));
  });
});
