/**
 * Listener and Client with an authkey: Python's documentation example of
 * multiprocessing.connection ("Listeners and Clients"; no seed has one). A server listens,
 * a client connects with the same key, and the server sends an object and two byte buffers.
 *
 *   # the server
 *   from multiprocessing.connection import Listener
 *   from array import array
 *
 *   address = ('localhost', 6000)     # family is deduced to be 'AF_INET'
 *
 *   with Listener(address, authkey=b'secret password') as listener:
 *       with listener.accept() as conn:
 *           print('connection accepted from', listener.last_accepted)
 *           conn.send([2.25, None, 'junk', float])
 *           conn.send_bytes(b'hello')
 *           conn.send_bytes(array('i', [42, 1729]))
 *
 *   # the client
 *   from multiprocessing.connection import Client
 *   from array import array
 *
 *   address = ('localhost', 6000)
 *
 *   with Client(address, authkey=b'secret password') as conn:
 *       print(conn.recv())                  # => [2.25, None, 'junk', float]
 *       print(conn.recv_bytes())            # => 'hello'
 *       arr = array('i', [0, 0, 0, 0, 0])
 *       print(conn.recv_bytes_into(arr))    # => 8
 *       print(arr)                          # => array('i', [42, 1729, 0, 0, 0])
 *
 * Here the client is a child Process, given the address: the listener binds port 0 (a free
 * port; Python's example has 6000). `float` (a class, which Python pickles by name) cannot
 * cross; a BigInt takes its place. array('i') → Int32Array. Then a client with the wrong key
 * tries: both sides get AuthenticationError (the key itself never crosses the wire).
 *
 *   npx tsx examples/connection/listener-client.ts
 */
import { AuthenticationError, Client, Listener, Process, isMainProcess, type Address } from 'multiprocessing-ts';

const authkey = Buffer.from('secret password');

// the client
export async function client(address: Address): Promise<void> {
  using conn = await Client(address, { authkey });
  console.log(await conn.recv()); // [ 2.25, null, 'junk', 18446744073709551616n ]
  console.log(await conn.recvBytes()); // <Buffer 68 65 6c 6c 6f> ('hello')
  const arr = new Int32Array([0, 0, 0, 0, 0]);
  console.log(await conn.recvBytesInto(arr)); // 8
  console.log(arr); // Int32Array(5) [ 42, 1729, 0, 0, 0 ]
}

if (isMainProcess()) {
  // the server
  await using listener = new Listener(['127.0.0.1', 0], { authkey });
  await listener.ready;
  const p = new Process({ target: client, args: [listener.address] });
  p.start();
  {
    using conn = await listener.accept();
    console.log('connection accepted from', listener.lastAccepted);
    conn.send([2.25, null, 'junk', 2n ** 64n]);
    conn.sendBytes(Buffer.from('hello'));
    conn.sendBytes(new Int32Array([42, 1729]));
  }
  await p.join();

  // a client with the wrong key
  const [accepted, connected] = await Promise.allSettled([listener.accept(), Client(listener.address, { authkey: Buffer.from('wrong password') })]);
  for (const [side, outcome] of [['listener', accepted], ['client', connected]] as const) {
    const error: unknown = outcome.status === 'rejected' ? outcome.reason : null;
    if (error instanceof AuthenticationError) {
      console.log(`${side}: AuthenticationError: ${error.message}`);
    } else {
      console.log(`${side}: expected AuthenticationError, got`, outcome);
      if (outcome.status === 'fulfilled') outcome.value.close();
      process.exitCode = 1;
    }
  }
}
