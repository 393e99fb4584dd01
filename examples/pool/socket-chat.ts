/**
 * Seed 002 "进程池版socket并发聊天": a server hands every accepted connection to a pool of 4;
 * the worker echoes what it receives in upper case until the client closes.
 *
 *   def talk(conn):
 *       print('进程pid: %s' % os.getpid())
 *       while True:
 *           msg = conn.recv(1024)
 *           if not msg: break
 *           conn.send(msg.upper())
 *
 *   server = socket(AF_INET, SOCK_STREAM) … server.listen(5)
 *   p = Pool(4)
 *   while True:
 *       conn, adr = server.accept()
 *       p.apply_async(talk, args=(conn,))
 *
 * The seed's client reads lines from input(); here three clients chat by themselves, so the
 * program ends. `pauseOnConnect` keeps the server from reading a connection before it moves
 * to its worker.
 *
 *   npx tsx examples/pool/socket-chat.ts
 */
import net from 'node:net';
import { Pool, isMainProcess } from 'multiprocessing-ts';

export async function talk(conn: net.Socket): Promise<void> {
  console.log(`进程pid: ${process.pid}`);
  for await (const msg of conn) conn.write(String(msg).toUpperCase()); // until the client closes
}

async function client(port: number, lines: string[]): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  for (const line of lines) {
    socket.write(line);
    const reply = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
    console.log(`>> ${line}  →  ${reply.toString('utf8')}`);
  }
  socket.end();
}

if (isMainProcess()) {
  const pool = new Pool(4);
  const talks: Promise<void>[] = [];
  const server = net.createServer({ pauseOnConnect: true }, (conn) => {
    talks.push(pool.apply(talk, [conn])); // p.apply_async(talk, args=(conn,))
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await Promise.all([client(port, ['hello', 'world']), client(port, ['ni hao']), client(port, ['a', 'b', 'c'])]);
  await Promise.all(talks); // every talk ends when its client closes
  server.close();
  pool.close();
  await pool.join();
}
