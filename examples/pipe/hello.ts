/**
 * Seed 002 "pipe初使用": a child sends one message on its end of a Pipe and closes it; the
 * parent receives it on the other end.
 *
 *   def f(conn):
 *       conn.send("Hello The_Third_Wave")
 *       conn.close()
 *
 *   if __name__ == '__main__':
 *       parent_conn, child_conn = Pipe()
 *       p = Process(target=f, args=(child_conn,))
 *       p.start()
 *       print(parent_conn.recv())
 *       p.join()
 *   # Hello The_Third_Wave
 *
 * send() never waits. The parent receives with the Promise form, `await parentConn.recv()`:
 * its event loop runs on meanwhile (`parentConn.recvSync()` would block it).
 *
 *   npx tsx examples/pipe/hello.ts
 */
import { Connection, Pipe, Process, isMainProcess } from 'multiprocessing-ts';

export function f(conn: Connection<string>): void {
  conn.send('Hello The_Third_Wave');
  conn.close();
}

if (isMainProcess()) {
  const [parentConn, childConn] = Pipe<string>();
  const p = new Process({ target: f, args: [childConn] });
  p.start();
  console.log(await parentConn.recv()); // Hello The_Third_Wave
  await p.join();
}
