/**
 * Seed 001 "管道": one child sends a string on one end of a Pipe, another child receives it
 * on the other end and prints it.
 *
 *   def setData(conn, data):
 *       conn.send(data)
 *
 *   def printData(conn):
 *       print(conn.recv())
 *
 *   if __name__ == "__main__":
 *       data = 'python'
 *       # 创建管道返回管道的两端
 *       conn1, conn2 = Pipe()
 *       p1 = Process(target=setData, args=(conn1, data,))
 *       p2 = Process(target=printData, args=(conn2,))
 *       p1.start()
 *       p2.start()
 *       p1.join()
 *       p2.join()
 *
 * setData may exit before printData has read: the message stays in the pipe's shared memory.
 *
 *   npx tsx examples/pipe/set-data.ts
 */
import { Connection, Pipe, Process, isMainProcess } from 'multiprocessing-ts';

export function setData(conn: Connection<string>, data: string): void {
  conn.send(data);
}

export function printData(conn: Connection<string>): void {
  console.log(conn.recvSync());
}

if (isMainProcess()) {
  const data = 'python';
  // 创建管道返回管道的两端
  const [conn1, conn2] = Pipe<string>();
  const p1 = new Process({ target: setData, args: [conn1, data] });
  const p2 = new Process({ target: printData, args: [conn2] });
  p1.start();
  p2.start();
  await p1.join();
  await p2.join();
}
