// Authentication of Listener/Client connections with an authkey: HMAC challenge–response in
// both directions; wrong keys, one side without a key, bad key types, the handshake on the wire,
// oversized frames before authenticating, timeouts and signals during the handshake.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { AuthenticationError, Client, EOFError, Listener, TimeoutError } from 'multiprocessing-ts';
import { answerChallenge, deliverChallenge } from 'multiprocessing-ts/connection';
import { sleep } from '../helpers.ts';
import { KINDS, LONG, RawPeer, assertNothingLeft, closeAfter, isError, listen, pair, rawServer, shmSegments } from './_socket.ts';

const isAuth = isError(AuthenticationError, 'ERR_AUTHENTICATION');
const isEOF = isError(EOFError, 'ERR_EOF');
const KEY = Buffer.from('the shared secret');

let shmBefore: Set<string>;
before(() => {
  shmBefore = shmSegments();
});

/** Settles `p` into its outcome, so that two sides can be awaited together. */
async function outcome<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await p };
  } catch (error) {
    return { error };
  }
}

for (const kind of KINDS) {
  describe(`authkey over ${kind}`, () => {
    test('the same key on both sides: accept() and Client() succeed and messages flow both ways', async (t) => {
      // A Uint8Array on one side and a Buffer of the same bytes on the other.
      const listener = await listen(t, kind, { authkey: new Uint8Array(KEY) });
      const [server, client] = await Promise.all([listener.accept({ timeout: LONG }), Client(listener.address, { authkey: Buffer.from(KEY) })]);
      closeAfter(t, server, client);
      server.send('server first');
      assert.equal(await client.recv({ timeout: LONG }), 'server first');
      client.send({ client: 'second', big: 'x'.repeat(10_000) });
      assert.deepEqual(await server.recv({ timeout: LONG }), { client: 'second', big: 'x'.repeat(10_000) });
      server.sendBytes(Buffer.alloc(1 << 20, 3));
      assert.equal((await client.recvBytes(undefined, { timeout: LONG })).length, 1 << 20, 'no frame limit once authenticated');
      assert.equal(await server.poll(), false, 'nothing of the handshake is left to receive');
      assert.equal(await client.poll(), false);
    });

    test('a wrong key: AuthenticationError on both sides, each saying what happened; the listener goes on accepting', async (t) => {
      const listener = await listen(t, kind, { authkey: KEY });
      const [accepted, connected] = await Promise.all([
        outcome(listener.accept({ timeout: LONG })),
        outcome(Client(listener.address, { authkey: Buffer.from('another key'), timeout: LONG })),
      ]);
      assert.ok(isAuth(accepted.error), `accept(): ${String(accepted.error ?? accepted.value)}`);
      assert.match((accepted.error as Error).message, /digest received was wrong/);
      assert.ok(isAuth(connected.error), `Client(): ${String(connected.error ?? connected.value)}`);
      assert.match((connected.error as Error).message, /rejected|different authkey/);
      // The next client, with the right key, is served.
      const { server, client } = await (async () => {
        const [server, client] = await Promise.all([listener.accept({ timeout: LONG }), Client(listener.address, { authkey: KEY })]);
        closeAfter(t, server, client);
        return { server, client };
      })();
      server.send('welcome');
      assert.equal(await client.recv({ timeout: LONG }), 'welcome');
    });

    test('the listener has a key and the client none: accept({ timeout }) fails with AuthenticationError saying the handshake did not complete; the client then sees the connection end', async (t) => {
      const listener = await listen(t, kind, { authkey: KEY });
      const [accepted, client] = await Promise.all([outcome(listener.accept({ timeout: 1000 })), Client(listener.address)]);
      closeAfter(t, client);
      assert.ok(isAuth(accepted.error), `accept(): ${String(accepted.error ?? accepted.value)}`);
      assert.match((accepted.error as Error).message, /did not complete within \d+(\.\d+)? ms.*authkey/);
      // The client without a key connected at once; what it receives is the challenge, not a
      // message: recv() fails (an Error) and then the connection ends.
      const first = await outcome(client.recv({ timeout: LONG }));
      assert.ok(first.error instanceof Error, `the challenge is no message: ${String(first.value)}`);
      await assert.rejects(client.recv({ timeout: LONG }), isEOF);
    });

    test('the listener has a key and the client none, and the client speaks first: AuthenticationError at once (its message is a wrong digest)', async (t) => {
      const listener = await listen(t, kind, { authkey: KEY });
      const client = await Client(listener.address);
      closeAfter(t, client);
      client.send('hello?');
      await assert.rejects(listener.accept({ timeout: LONG }), (e: unknown) => isAuth(e) && /digest received was wrong/.test((e as Error).message));
    });

    test('the client has a key and the listener none: Client({ timeout }) fails with AuthenticationError saying the handshake did not complete', async (t) => {
      const listener = await listen(t, kind);
      const accepted = listener.accept({ timeout: LONG });
      await assert.rejects(Client(listener.address, { authkey: KEY, timeout: 1000 }), (e: unknown) => {
        assert.ok(isAuth(e), String(e));
        assert.match((e as Error).message, /did not complete within \d+(\.\d+)? ms.*authkey/);
        assert.ok((e as Error).cause instanceof TimeoutError, 'the cause is the timeout');
        return true;
      });
      const server = await accepted;
      closeAfter(t, server);
      await assert.rejects(server.recv({ timeout: LONG }), isEOF, 'the client dropped the connection');
    });

    test('the client has a key and the listener none, and the listener speaks first: Client() fails at once with AuthenticationError (a protocol error)', async (t) => {
      const listener = await listen(t, kind);
      void listener.accept({ timeout: LONG }).then((server) => {
        closeAfter(t, server);
        server.send('not a challenge');
      });
      await assert.rejects(Client(listener.address, { authkey: KEY, timeout: LONG }), (e: unknown) => isAuth(e) && /expected an authentication challenge/.test((e as Error).message));
    });
  });
}

describe('authkey checks and the handshake on the wire', () => {
  test('an authkey that is not a Buffer or Uint8Array is TypeError (Listener throws, Client rejects); null and undefined mean none', async (t) => {
    for (const bad of ['a string key', 42, [1, 2, 3], { key: 1 }, new DataView(new ArrayBuffer(4)), new ArrayBuffer(4)]) {
      assert.throws(() => new Listener(null, { authkey: bad as unknown as Uint8Array }), TypeError, `Listener authkey ${String(bad)}`);
      await assert.rejects(Client(['127.0.0.1', 1], { authkey: bad as unknown as Uint8Array }), TypeError, `Client authkey ${String(bad)}`);
    }
    const { server, client } = await pair(t, 'abstract', { authkey: null });
    client.send('no key: no handshake');
    assert.equal(await server.recv({ timeout: LONG }), 'no key: no handshake');
  });

  test('an empty key is a key (as b"" is in Python): a client without one is turned away', async (t) => {
    const listener = await listen(t, 'abstract', { authkey: Buffer.alloc(0) });
    const client = await Client(listener.address);
    closeAfter(t, client);
    await assert.rejects(listener.accept({ timeout: 1000 }), isAuth);
    const [server, keyed] = await Promise.all([listener.accept({ timeout: LONG }), Client(listener.address, { authkey: new Uint8Array(0) })]);
    closeAfter(t, server, keyed);
    server.send('empty keys match');
    assert.equal(await keyed.recv({ timeout: LONG }), 'empty keys match');
  });

  test('deliverChallenge()/answerChallenge() on a connection made without a key, as in Python: either side can challenge; a wrong key fails on both sides', async (t) => {
    const { server, client } = await pair(t, 'abstract');
    await Promise.all([deliverChallenge(server, KEY), answerChallenge(client, KEY)]);
    await Promise.all([deliverChallenge(client, KEY), answerChallenge(server, KEY)]);
    const [delivered, answered] = await Promise.all([outcome(deliverChallenge(server, KEY)), outcome(answerChallenge(client, Buffer.from('other')))]);
    assert.ok(isAuth(delivered.error), String(delivered.error));
    assert.ok(isAuth(answered.error), String(answered.error));
    // The functions only authenticate: the connection stays open, with nothing of the handshake left.
    client.send('still connected');
    assert.equal(await server.recv({ timeout: LONG }), 'still connected');
    assert.equal(await client.poll(), false);
    // A timeout (ms) bounds a challenge nobody answers.
    await assert.rejects(deliverChallenge(server, KEY, 200), isError(TimeoutError));
  });

  test("Client() against a peer speaking CPython 3.12's protocol by hand: #CHALLENGE#{sha256} + 40 bytes, {sha256}HMAC answers, #WELCOME#, both ways", async (t) => {
    const server = await rawServer(t);
    const connecting = Client(server.address, { authkey: KEY, timeout: LONG });
    const peer = await server.next();
    // Our challenge to the client: the MAC covers the digest's name too.
    const message = Buffer.concat([Buffer.from('{sha256}'), randomBytes(40)]);
    peer.writeFrame(Buffer.concat([Buffer.from('#CHALLENGE#'), message]));
    const answer = Buffer.concat([Buffer.from('{sha256}'), createHmac('sha256', KEY).update(message).digest()]);
    assert.deepEqual(await peer.readFrame(), answer, "the answer is '{sha256}' + HMAC-SHA256(key, message)");
    peer.writeFrame(Buffer.from('#WELCOME#'));
    // The client's challenge to us.
    const challenge = await peer.readFrame();
    assert.ok(challenge !== null);
    assert.equal(challenge.subarray(0, 11).toString(), '#CHALLENGE#');
    assert.equal(challenge.subarray(11, 19).toString(), '{sha256}');
    assert.equal(challenge.length, 11 + 8 + 40, '40 random bytes');
    const theirs = challenge.subarray(11);
    peer.writeFrame(Buffer.concat([Buffer.from('{sha256}'), createHmac('sha256', KEY).update(theirs).digest()]));
    assert.equal((await peer.readFrame())?.toString(), '#WELCOME#');
    const client = await connecting;
    closeAfter(t, client);
    client.sendBytes(Buffer.from('authenticated'));
    assert.equal((await peer.readFrame())?.toString(), 'authenticated');
  });

  test("Client() against a peer speaking CPython 3.11's legacy protocol: 20-byte challenges, bare HMAC-MD5 answers", async (t) => {
    const server = await rawServer(t);
    const connecting = Client(server.address, { authkey: KEY, timeout: LONG });
    const peer = await server.next();
    const message = randomBytes(20);
    peer.writeFrame(Buffer.concat([Buffer.from('#CHALLENGE#'), message]));
    assert.deepEqual(await peer.readFrame(), createHmac('md5', KEY).update(message).digest(), 'a bare HMAC-MD5 to a bare challenge');
    peer.writeFrame(Buffer.from('#WELCOME#'));
    const challenge = await peer.readFrame();
    assert.ok(challenge !== null);
    // A 3.11 peer answers our '{sha256}' challenge with a bare HMAC-MD5 of all of it: accepted.
    peer.writeFrame(createHmac('md5', KEY).update(challenge.subarray(11)).digest());
    assert.equal((await peer.readFrame())?.toString(), '#WELCOME#');
    closeAfter(t, await connecting);
  });

  test('accept() against a client speaking the protocol by hand; a wrong digest gets #FAILURE# and AuthenticationError', async (t) => {
    const listener = await listen(t, 'tcp', { authkey: KEY });
    for (const right of [true, false]) {
      const accepting = outcome(listener.accept({ timeout: LONG }));
      const peer = await RawPeer.connect(t, listener.address);
      const challenge = await peer.readFrame();
      assert.ok(challenge !== null && challenge.subarray(0, 11).toString() === '#CHALLENGE#');
      const digest = Buffer.concat([Buffer.from('{sha256}'), createHmac('sha256', right ? KEY : Buffer.from('wrong')).update(challenge.subarray(11)).digest()]);
      peer.writeFrame(digest);
      const verdict = (await peer.readFrame())?.toString();
      if (!right) {
        assert.equal(verdict, '#FAILURE#');
        const { error } = await accepting;
        assert.ok(isAuth(error), String(error));
        assert.equal(await peer.ended(), true, 'the listener drops the connection');
        continue;
      }
      assert.equal(verdict, '#WELCOME#');
      const message = Buffer.concat([Buffer.from('{sha256}'), randomBytes(40)]);
      peer.writeFrame(Buffer.concat([Buffer.from('#CHALLENGE#'), message]));
      assert.deepEqual(await peer.readFrame(), Buffer.concat([Buffer.from('{sha256}'), createHmac('sha256', KEY).update(message).digest()]));
      peer.writeFrame(Buffer.from('#WELCOME#'));
      const { value: server, error } = await accepting;
      assert.ok(server !== undefined, String(error));
      closeAfter(t, server);
      peer.writeFrame(Buffer.from('hello after the handshake'));
      assert.equal((await server.recvBytes(undefined, { timeout: LONG })).toString(), 'hello after the handshake');
    }
  });

  test('before authenticating, a frame over 256 bytes is refused without reading it: accept() fails and the listener goes on', async (t) => {
    const listener = await listen(t, 'tcp', { authkey: KEY });
    const accepting = outcome(listener.accept({ timeout: LONG }));
    const peer = await RawPeer.connect(t, listener.address);
    await peer.readFrame();
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1 << 30, 0); // announces 1 GiB
    peer.write(header);
    const { error } = await accepting;
    assert.ok(error instanceof EOFError || error instanceof AuthenticationError, String(error));
    assert.match(String((error as Error).message) + String((error as Error).cause), /256/);
    assert.equal(await peer.ended(), true, 'the connection was dropped');
    const [server, client] = await Promise.all([listener.accept({ timeout: LONG }), Client(listener.address, { authkey: KEY })]);
    closeAfter(t, server, client);
    server.send('still serving');
    assert.equal(await client.recv({ timeout: LONG }), 'still serving');
  });

  test('a peer that closes during the handshake: accept() fails (EOFError), Client() fails (EOFError)', async (t) => {
    const listener = await listen(t, 'abstract', { authkey: KEY });
    const accepting = outcome(listener.accept({ timeout: LONG }));
    const peer = await RawPeer.connect(t, listener.address);
    await peer.readFrame();
    peer.socket.end();
    const { error } = await accepting;
    assert.ok(isEOF(error) || isAuth(error), String(error));

    const server = await rawServer(t);
    const connecting = outcome(Client(server.address, { authkey: KEY, timeout: LONG }));
    (await server.next()).socket.end();
    const client = await connecting;
    assert.ok(isEOF(client.error) || isAuth(client.error), String(client.error));
  });

  test('a message over 256 bytes sent the moment Client() resolves reaches the listener (the accepting side finishes authenticating last)', {
  }, async (t) => {
    const listener = await listen(t, 'tcp', { authkey: KEY });
    const failures: string[] = [];
    for (const size of [300, 100_000]) {
      const [server, client] = await Promise.all([
        listener.accept({ timeout: LONG }),
        Client(listener.address, { authkey: KEY }).then((client) => {
          client.send(Buffer.alloc(size, 1)); // what any client does first: its request
          return client;
        }),
      ]);
      closeAfter(t, server, client);
      const got = await outcome(server.recv({ timeout: LONG }));
      if (got.error !== undefined) failures.push(`${size} bytes: ${String(got.error)}; cause: ${String((got.error as Error).cause)}`);
      else assert.equal((got.value as Buffer).length, size);
    }
    assert.deepEqual(failures, []);
  });

  test('an AbortSignal given to accept() also stops a handshake under way', {
  }, async (t) => {
    const listener = await listen(t, 'abstract', { authkey: KEY });
    const client = await Client(listener.address); // no key: never answers the challenge
    closeAfter(t, client);
    const stop = new AbortController();
    const accepting = outcome(listener.accept({ signal: stop.signal }));
    await sleep(300); // the connection arrived: the handshake is under way
    const reason = new Error('stop accepting');
    stop.abort(reason);
    const settled = await Promise.race([accepting, sleep(3000).then(() => 'still pending 3 s after the abort')]);
    client.close(); // ends the handshake in any case (EOF), so that nothing outlives the test
    await accepting;
    assert.notEqual(settled, 'still pending 3 s after the abort');
    assert.equal((settled as { error?: unknown }).error, reason);
  });
});

test('nothing is left behind: no child process, nothing of ours in /dev/shm', async () => {
  await assertNothingLeft(shmBefore);
});
