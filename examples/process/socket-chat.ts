/**
 * Seed 000 "多进程socket聊天并发": one Process per accepted connection, echoing in upper case.
 *
 *   def talk(conn, client_addr):
 *       while True:
 *           msg = conn.recv(1024)
 *           if not msg: break
 *           conn.send(msg.upper())
 *
 *   while True:
 *       conn, client_addr = server.accept()
 *       p = Process(target=talk, args=(conn, client_addr))
 *       p.start()
 *
 * The connection crosses to the child as an argument (P9). Three clients chat by themselves
 * here, so the program ends.
 *
 *   npx tsx examples/process/socket-chat.ts
 */
import net from 'node:net';
import { Process, isMainProcess } from 'multiprocessing-ts';

export async function talk(conn: net.Socket, clientAddr: [string, number]): Promise<void> {
  console.log(`pid ${process.pid} talks to ${clientAddr.join(':')}`);
  for await (const msg of conn) conn.write(String(msg).toUpperCase());
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
  const children: Process<typeof talk>[] = [];
  const server = net.createServer({ pauseOnConnect: true }, (conn) => {
    const p = new Process({ target: talk, args: [conn, [conn.remoteAddress ?? '', conn.remotePort ?? 0]] });
    p.start();
    children.push(p);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await Promise.all([client(port, ['hello']), client(port, ['world', 'again'])]);
  server.close();
  await Promise.all(children.map((p) => p.join()));
}
