/**
 * Seed 004 "Pipes(管道)": a child sends a list to the parent and waits for the parent's
 * answer. Sleeps: 1 s → 100 ms, 2 s → 200 ms.
 *
 *   def task(conn):
 *       time.sleep(1)
 *       conn.send([111, 22, 33, 44])
 *       data = conn.recv() # 阻塞
 *       print("子进程接收:", data)
 *       time.sleep(2)
 *
 *   if __name__ == '__main__':
 *       parent_conn, child_conn = multiprocessing.Pipe()
 *       p = multiprocessing.Process(target=task, args=(child_conn,))
 *       p.start()
 *       info = parent_conn.recv() # 阻塞，等待子进程发送值
 *       print("主进程接收：", info)
 *       parent_conn.send(666)
 *
 * A list crosses as an array (structured clone). The child blocks in recvSync() (阻塞); the
 * parent awaits recv(), which leaves its event loop free. The pipe's type parameter is what
 * either end may send: here an array or a number.
 *
 *   npx tsx examples/pipe/exchange.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as multiprocessing from 'multiprocessing-ts';

type Message = number[] | number;

export async function task(conn: multiprocessing.Connection<Message>): Promise<void> {
  await sleep(100);
  conn.send([111, 22, 33, 44]);
  const data = conn.recvSync(); // 阻塞
  console.log('子进程接收:', data);
  await sleep(200);
}

if (multiprocessing.isMainProcess()) {
  const [parentConn, childConn] = multiprocessing.Pipe<Message>();

  const p = new multiprocessing.Process({ target: task, args: [childConn] });
  p.start();

  const info = await parentConn.recv(); // 阻塞，等待子进程发送值
  console.log('主进程接收：', info);
  parentConn.send(666);
}
