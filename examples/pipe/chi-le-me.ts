/**
 * Seed 002 "管道": the parent sends 吃了么 twenty times and then None; the child prints what
 * it receives until None.
 *
 *   def func(conn):
 *       while True:
 *           msg = conn.recv()
 *           if msg is None: break
 *           print(conn.recv())
 *
 *   if __name__ == '__main__':
 *       conn1, conn2 = Pipe()
 *       Process(target=func, args=(conn1,)).start()
 *       for i in range(20):
 *           conn2.send('吃了么')
 *       conn2.send(None)
 *
 * Ported as written: each turn of the loop receives two messages, checks the first for None
 * and prints the second, so 吃了么 comes out ten times (with an odd count the None would be
 * printed, and the next recv() would find the pipe closed: EOFError). The sends do not wait
 * for the child — the twenty messages sit in shared memory until it reads them — and the
 * parent then ends its main code; as in Python, it waits for its non-daemonic child before
 * exiting. The child blocks in recvSync(), as Python's recv().
 *
 *   npx tsx examples/pipe/chi-le-me.ts
 */
import { Connection, Pipe, Process, isMainProcess } from 'multiprocessing-ts';

export function func(conn: Connection<string | null>): void {
  while (true) {
    const msg = conn.recvSync();
    if (msg === null) break;
    console.log(conn.recvSync());
  }
}

if (isMainProcess()) {
  const [conn1, conn2] = Pipe<string | null>();
  new Process({ target: func, args: [conn1] }).start();
  for (let i = 0; i < 20; i++) {
    conn2.send('吃了么');
  }
  conn2.send(null);
}
