/**
 * Seed 002 "管道": the same 吃了么 ×20, ended by closing instead of by None. Each process
 * closes the end it does not use; the parent closes its sending end when it is done, and the
 * child's recv() raises EOFError once every message has been read.
 *
 *   def func(conn1, conn2):
 *       conn2.close()
 *       while True:
 *           try:
 *               msg = conn1.recv()
 *               print(msg)
 *           except EOFError:
 *               conn1.close()
 *               break
 *
 *   if __name__ == '__main__':
 *       conn1, conn2 = Pipe()
 *       Process(target=func, args=(conn1, conn2)).start()
 *       conn1.close()
 *       for i in range(20):
 *           conn2.send('吃了么')
 *       conn2.close()
 *
 * The seed's point: EOF comes only when *every* holder of the other end has closed it — the
 * parent's conn2 and the child's copy of conn2. A child that forgot `conn2.close()` would wait
 * in recv() for ever (in Python as here), since it could still send on conn2 itself. The child
 * receives with the Promise form here; the parent's sends never wait.
 *
 *   npx tsx examples/pipe/close-ends.ts
 */
import { Connection, EOFError, Pipe, Process, isMainProcess } from 'multiprocessing-ts';

export async function func(conn1: Connection<string>, conn2: Connection<string>): Promise<void> {
  conn2.close();
  while (true) {
    try {
      const msg = await conn1.recv();
      console.log(msg);
    } catch (error) {
      if (!(error instanceof EOFError)) throw error;
      conn1.close();
      break;
    }
  }
}

if (isMainProcess()) {
  const [conn1, conn2] = Pipe<string>();
  new Process({ target: func, args: [conn1, conn2] }).start();
  conn1.close();
  for (let i = 0; i < 20; i++) {
    conn2.send('吃了么');
  }
  conn2.close();
}
