/**
 * Seed 000 "managers示例1：使用BaseManager进行分布式进程任务（共三方参与）": three programs — a
 * server that serves a queue over TCP with get_server().serve_forever(), a sender that
 * connects and puts "hello", and a receiver that connects, gets it and prints it.
 *
 *   # 服务端Server
 *   que = queue.Queue()
 *   class QueueManager(BaseManager):
 *       pass
 *   QueueManager.register("get_queue", callable=lambda:que)
 *   m = QueueManager(address=('127.0.0.1', 50000), authkey="abc".encode())
 *   s = m.get_server()
 *   s.serve_forever()
 *
 *   # 发送端Send
 *   QueueManager.register("get_queue")
 *   m = QueueManager(address=("127.0.0.1", 50000), authkey="abc".encode())
 *   m.connect()
 *   queue = m.get_queue()
 *   queue.put("hello")
 *
 *   # 接收端Recv
 *   QueueManager.register("get_queue")
 *   m = QueueManager(address=("127.0.0.1", 50000), authkey="abc".encode())
 *   m.connect()
 *   queue = m.get_queue()
 *   print(queue.get())
 *   print(m.address)
 *
 *   # 使用方法：依次启动服务端、发送端和接收端即可。
 *
 * Here the three programs are one file and one command: this program is the server, and it
 * starts the sender and then the receiver itself, each as a separate Node.js program
 * (`node <this file> send|recv <address>`, as unrelated as on two other machines: they share
 * nothing but the address and the authkey). The server binds port 0 (a free port, where the
 * seed has 50000) and hands the real address to the other two; the receiver prints it where
 * the seed prints ('127.0.0.1', 50000). The seed's server serves for ever; this one shuts
 * down once the receiver is done, so the command ends.
 *
 * queue.Queue() → this library's Queue (its put and get return Promises; the server awaits
 * them). With getServer() the server is this process, so the callable may be a closure,
 * as the seed's lambda is.
 *
 *   npx tsx examples/managers/three-parties.ts
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BaseManager, Queue, isMainProcess, type Address, type AutoProxyOf } from 'multiprocessing-ts';

class QueueManager extends BaseManager {
  declare getQueue: () => Promise<AutoProxyOf<Queue<string>>>;
}

const authkey = Buffer.from('abc');

// 服务端Server
async function server(): Promise<void> {
  const que = new Queue<string>();
  QueueManager.register('getQueue', { callable: () => que });
  const m = new QueueManager({ address: ['127.0.0.1', 0], authkey });
  const s = m.getServer();
  await s.ready;
  const serving = s.serveForever();
  console.log('server: serving at', s.address);

  // 依次启动发送端和接收端 (the seed starts them by hand)
  await party('send', s.address);
  await party('recv', s.address);

  await m.shutdown(); // the seed serves for ever
  await serving;
  console.log('server: done');
}

// 发送端Send
async function send(address: Address): Promise<void> {
  QueueManager.register('getQueue');
  const m = new QueueManager({ address, authkey });
  await m.connect();
  const queue = await m.getQueue();
  await queue.put('hello');
  console.log('send: put "hello"');
}

// 接收端Recv
async function recv(address: Address): Promise<void> {
  QueueManager.register('getQueue');
  const m = new QueueManager({ address, authkey });
  await m.connect();
  const queue = await m.getQueue();
  console.log(await queue.get()); // hello
  console.log(m.address); // [ '127.0.0.1', <port> ]
}

/** Runs this file as a separate program in the given role, and waits for it to exit. */
function party(role: 'send' | 'recv', address: Address): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), role, JSON.stringify(address)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`the ${role} program failed (${signal ?? `exit code ${code}`})`))));
  });
}

if (isMainProcess()) {
  const [role, address] = process.argv.slice(2);
  if (role === 'send') await send(JSON.parse(address) as Address);
  else if (role === 'recv') await recv(JSON.parse(address) as Address);
  else await server();
}
