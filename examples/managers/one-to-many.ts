/**
 * Seed 000 "managers示例3：使用BaseManager进行分布式进程任务（一对多）": a manager server puts a random
 * number in a task queue every half second; any number of workers, started by hand on any
 * machine, connect, take numbers and put them in a result queue.
 *
 *   # 服务端manager
 *   task_queue = queue.Queue()    # 发送任务的队列
 *   result_queue = queue.Queue()  # 接收结果的队列
 *   def get_task_queue():
 *       global task_queue
 *       return task_queue
 *   def get_result_queue():
 *       global task_queue
 *       return task_queue
 *   def startManager(host, port, authkey):
 *       BaseManager.register('get_task_queue', callable=get_task_queue)
 *       BaseManager.register('get_result_queue', callable=get_result_queue)
 *       manager = BaseManager(address=(host, port), authkey=authkey)
 *       manager.start()
 *       return manager
 *   def put_queue(manager):
 *       task = manager.get_task_queue()
 *       while 1:
 *           n = random.randint(0, 1000)
 *           print ('Put task %d' % n)
 *           task.put(n)
 *           time.sleep(0.5)
 *   if __name__ == "__main__":
 *       host = '127.0.0.1'
 *       port = 5000
 *       authkey = 'abc'
 *       manager = startManager(host, port, authkey.encode())
 *       put_queue(manager)
 *       manager.shutdown()
 *
 *   # 执行端worker
 *   def start_worker(host, port, authkey):
 *       BaseManager.register('get_task_queue')
 *       BaseManager.register('get_result_queue')
 *       print ('Connect to server %s' % host)
 *       worker = BaseManager(address=(host, port), authkey=authkey)
 *       worker.connect()
 *       return worker
 *   def get_queue(worker):
 *       task = worker.get_task_queue()
 *       result = worker.get_result_queue()
 *       while 1:
 *           if task.empty():
 *               time.sleep(1)
 *               continue
 *           n = task.get(timeout=1)
 *           print ('worker get %d' % n)
 *           result.put(n)
 *           time.sleep(1)
 *   if __name__ == "__main__":
 *       host = '127.0.0.1'
 *       port = 5000
 *       authkey = 'abc'
 *       worker = start_worker(host, port, authkey.encode())
 *       get_queue(worker)
 *
 * One command runs the server and two workers: the server starts them itself, each as a
 * separate Node.js program (`node <this file> worker <host> <port>`). What differs, and why:
 * - The seed runs for ever (its manager.shutdown() is never reached). Here the server puts 8
 *   tasks, then one null per worker, which tells that worker to stop; it waits for the workers
 *   to exit, reads the results back, and shuts down.
 * - The seed's get_result_queue returns task_queue (its `global task_queue`), so every result
 *   would go back into the task queue and be taken again; here it returns result_queue.
 * - start() runs the server in a process of its own, which imports the callables: exported
 *   functions, each queue made there on the first call (a module-level queue would be made in
 *   every process that imports this file). queue.Queue() → this library's Queue.
 * - The seed registers on BaseManager itself; a subclass here gives the methods their types.
 * - Port 0 (a free port; the seed has 5000), given to the workers. Sleeps: 0.5 s → 200 ms,
 *   1 s → 100 ms (empty queue) and 300 ms (after a task).
 * - With two workers, one may find the queue not empty and then lose the number to the other:
 *   its get(timeout=1) would raise Empty and end the seed's worker. Here it tries again.
 * - Each worker also prints its pid, to show who took what. The numbers are random, and which
 *   worker gets which one is racy.
 *
 *   npx tsx examples/managers/one-to-many.ts
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { BaseManager, Empty, Queue, isMainProcess, type AutoProxyOf } from 'multiprocessing-ts';

const WORKERS = 2;
const TASKS = 8;

// 发送任务的队列, 接收结果的队列 (made in the server process, on the first call)
let taskQueue: Queue<number | null> | undefined;
let resultQueue: Queue<number> | undefined;

export function getTaskQueue(): Queue<number | null> {
  return (taskQueue ??= new Queue<number | null>());
}

export function getResultQueue(): Queue<number> {
  return (resultQueue ??= new Queue<number>()); // the seed returns task_queue here
}

class QueueManager extends BaseManager {
  declare getTaskQueue: () => Promise<AutoProxyOf<Queue<number | null>>>;
  declare getResultQueue: () => Promise<AutoProxyOf<Queue<number>>>;
}

async function startManager(host: string, port: number, authkey: Buffer): Promise<QueueManager> {
  // 把两个Queue都注册到网络上，callable参数关联了Queue对象，注意回调函数不能使用括号
  QueueManager.register('getTaskQueue', { callable: getTaskQueue });
  QueueManager.register('getResultQueue', { callable: getResultQueue });
  // 设置host,绑定端口port，设置验证码为authkey
  const manager = new QueueManager({ address: [host, port], authkey });
  // 启动manager服务器
  await manager.start();
  return manager;
}

async function putQueue(manager: QueueManager): Promise<void> {
  // 通过网络访问queueu
  const task = await manager.getTaskQueue();
  for (let i = 0; i < TASKS; i++) {
    // while 1
    const n = Math.floor(Math.random() * 1001); // random.randint(0, 1000)
    console.log(`Put task ${n}`);
    await task.put(n);
    await sleep(200);
  }
  for (let i = 0; i < WORKERS; i++) await task.put(null); // one stop sign per worker
}

async function startWorker(host: string, port: number, authkey: Buffer): Promise<QueueManager> {
  // 由于这个BaseManager只从网络上获取queue，所以注册时只提供名字
  QueueManager.register('getTaskQueue');
  QueueManager.register('getResultQueue');
  console.log(`Connect to server ${host}`);
  // 注意，端口port和验证码authkey必须和manager服务器设置的完全一致
  const worker = new QueueManager({ address: [host, port], authkey });
  // 链接到manager服务器
  await worker.connect();
  return worker;
}

async function getQueue(worker: QueueManager): Promise<void> {
  const task = await worker.getTaskQueue();
  const result = await worker.getResultQueue();
  // 从task队列取数据，并添加到result队列中
  for (;;) {
    if (await task.empty()) {
      await sleep(100);
      continue;
    }
    let n: number | null;
    try {
      n = await task.get({ timeout: 1000 });
    } catch (error) {
      if (error instanceof Empty) continue; // another worker took it
      throw error;
    }
    if (n === null) break; // the server's stop sign (the seed's worker never stops)
    console.log(`worker get ${n} (pid ${process.pid})`);
    await result.put(n);
    await sleep(300);
  }
}

/** Runs this file as a worker, a separate program; resolves when it exits cleanly. */
function runWorker(host: string, port: number): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'worker', host, String(port)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`a worker failed (${signal ?? `exit code ${code}`})`))));
  });
}

if (isMainProcess()) {
  const host = '127.0.0.1';
  const authkey = 'abc';
  if (process.argv[2] === 'worker') {
    // 启动worker
    const worker = await startWorker(host, Number(process.argv[4]), Buffer.from(authkey));
    // 获取队列
    await getQueue(worker);
  } else {
    const port = 0; // the seed: 5000
    // 启动manager服务器
    const manager = await startManager(host, port, Buffer.from(authkey));
    try {
      const [, realPort] = manager.address as readonly [string, number];
      const workers = Array.from({ length: WORKERS }, () => runWorker(host, realPort)); // the seed's user starts them by hand
      for (const w of workers) w.catch(() => {}); // awaited below
      // 给task队列添加数据
      await putQueue(manager);
      await Promise.all(workers);
      const result = await manager.getResultQueue();
      const results: number[] = [];
      while (!(await result.empty())) results.push(await result.get());
      console.log('results:', results);
    } finally {
      // 关闭服务器
      await manager.shutdown();
    }
  }
}
