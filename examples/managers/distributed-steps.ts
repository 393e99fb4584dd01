/**
 * Seed 000 "分布式进程": the steps of a distributed program, one by one, put together as one
 * program. The seed gives each step as a line of code:
 *
 *   STEP1   实例化Queue对象            queue = queue.Queue()
 *   STEP2   注册Queue对象              服务端：BaseManager.register("get_queue", callable=lambda: queue)
 *                                     客户端：BaseManager.register("get_queue")
 *   STEP3   实例化Manager对象          manager = BaseManager(address=('127.0.0.1', 8001), authkey=b'pwword')
 *   STEP3.5 冻结支持                   freeze_support()
 *   STEP4   服务端开启，客户端连接      manager.start()
 *                                     或 server = manager.get_server(); server.serve_forever()
 *                                     客户端：manager.connect()
 *   STEP5   从Manager对象获得Queue对象  queue = manager.get_queue()
 *   STEP6   分配、执行任务              分配：queue.put(task)   执行：queue.get()
 *   STEP7   结束任务                   manager.shutdown()
 *
 * Here this process is the server (STEP4's get_server().serve_forever(), so STEP2's lambda
 * works: the server runs here), and two clients connect to it with the authkey: one in this
 * process that hands out the tasks (the seed's note: tasks go in through
 * manager.get_queue(), never straight into the server's queue), and a child Process that
 * carries them out. A null after the tasks tells the child to stop. STEP7: the server shuts
 * down once the child is done (the seed's serve_forever() would serve for ever).
 *
 * queue.Queue() → this library's Queue. Port 0 (a free port; the seed has 8001): the child is
 * given the real address.
 *
 *   npx tsx examples/managers/distributed-steps.ts
 */
import { BaseManager, Process, Queue, freezeSupport, isMainProcess, type Address, type AutoProxyOf } from 'multiprocessing-ts';

const authkey = Buffer.from('pwword');

// STEP2 (客户端): register the name only
class ClientManager extends BaseManager {
  declare getQueue: () => Promise<AutoProxyOf<Queue<string | null>>>;
}
ClientManager.register('getQueue');

/** The executing side, in a child process: STEP3 → STEP6 (执行). */
export async function executor(address: Address): Promise<void> {
  const manager = new ClientManager({ address, authkey }); // STEP3
  await manager.connect(); // STEP4 客户端连接服务端
  const queue = await manager.getQueue(); // STEP5
  for (;;) {
    const task = await queue.get(); // STEP6 执行
    if (task === null) break;
    console.log(`child ${process.pid}: 执行 ${task}`);
  }
  await manager.shutdown(); // a connected manager: only its connection closes
}

if (isMainProcess()) {
  // STEP1
  const queue = new Queue<string | null>();

  // STEP2 (服务端): the object and its callable
  class ServerManager extends BaseManager {}
  ServerManager.register('getQueue', { callable: () => queue });

  // STEP3 (port 0: a free port)
  const manager = new ServerManager({ address: ['127.0.0.1', 0], authkey });

  // STEP3.5
  freezeSupport();

  // STEP4 服务端开启服务
  const server = manager.getServer();
  await server.ready;
  const serving = server.serveForever();
  console.log('server at', server.address);

  // STEP4 客户端连接服务端: a child that executes…
  const child = new Process({ target: executor, args: [server.address] });
  child.start();

  // …and a client here that hands out the tasks
  const client = new ClientManager({ address: server.address, authkey });
  await client.connect();
  const tasks = await client.getQueue(); // STEP5
  for (const task of ['task-1', 'task-2', 'task-3']) {
    console.log(`server ${process.pid}: 分配 ${task}`);
    await tasks.put(task); // STEP6 分配
  }
  await tasks.put(null); // no more

  await child.join();
  await client.shutdown();
  await manager.shutdown(); // STEP7 结束任务
  await serving;
  console.log('server: done, child exit code', child.exitcode);
}
