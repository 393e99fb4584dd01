/**
 * Seed 000 "managers示例2：使用BaseManager进行分布式进程任务（共两方参与）": a task master starts a
 * manager (manager.start()) serving a task queue and a result queue, puts ten URLs and waits
 * for ten results; a worker, on another machine, connects, takes the tasks while there are any,
 * and puts a result for each.
 *
 *   # manager服务器
 *   task_number = 10
 *   task_quue = Queue(task_number)
 *   result_queue = Queue(task_number)
 *   def get_task():
 *       return task_quue
 *   def get_result():
 *       return result_queue
 *   class QueueManager(BaseManager):
 *       pass
 *   def win_run():
 *       QueueManager.register('get_task_queue', callable=get_task)
 *       QueueManager.register('get_result_queue', callable=get_result)
 *       manager = QueueManager(address=('127.0.0.1', 8001), authkey='qiye'.encode())
 *       manager.start()
 *       try:
 *           task = manager.get_task_queue()
 *           result = manager.get_result_queue()
 *           for url in ["ImageUrl_" + str(i) for i in range(10)]:
 *               print('url is %s' % url)
 *               task.put(url)
 *           print('try get result')
 *           for i in range(10):
 *               print('result is %s' % result.get(timeout=1000))
 *       except:
 *           print('Manager error')
 *       finally:
 *           manager.shutdown()
 *   if __name__ == '__main__':
 *       freeze_support()
 *       win_run()
 *
 *   # worker工作机
 *   QueueManager.register('get_task_queue')
 *   QueueManager.register('get_result_queue')
 *   server_addr = '127.0.0.1'
 *   print('Connect to server %s...' % server_addr)
 *   m = QueueManager(address=(server_addr, 8001), authkey='qiye'.encode())
 *   m.connect()
 *   task = m.get_task_queue()
 *   result = m.get_result_queue()
 *   while(not task.empty()):
 *       image_url = task.get(True,timeout=5)
 *       print('run task download %s...' % image_url)
 *       time.sleep(1)
 *       result.put('%s--->success'%image_url)
 *   print('worker exit.')
 *
 * One command runs both: the master starts the worker itself, as a separate Node.js program
 * (`node <this file> worker <host> <port>`), once its tasks are in the queue (the worker quits
 * when it finds the queue empty, so the seed's user starts it after the master, too).
 *
 * What differs:
 * - start() runs the server in a process of its own, which imports get_task and get_result:
 *   they are exported functions (as the seed's comment says Windows needs), and each queue is
 *   made there on the first call. A module-level `new Queue(10)` would be made in every
 *   process that imports this file, the worker's and the server's included.
 * - The server binds port 0 (a free port; the seed has 8001), and the worker is given the
 *   real address.
 * - Timeouts are milliseconds: get(True, timeout=5) → { timeout: 5000 }; the master's
 *   result.get(timeout=1000) (1000 s) → 10 s, so a broken run fails soon. time.sleep(1) → 100 ms.
 * - `except: print('Manager error')` also prints the error.
 *
 *   npx tsx examples/managers/task-master.ts
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { BaseManager, Queue, freezeSupport, isMainProcess, type AutoProxyOf } from 'multiprocessing-ts';

// 任务个数
const taskNumber = 10;

// 收发队列 (made in the server process, on the first call)
let taskQueue: Queue<string> | undefined;
let resultQueue: Queue<string> | undefined;

export function getTask(): Queue<string> {
  return (taskQueue ??= new Queue<string>(taskNumber));
}

export function getResult(): Queue<string> {
  return (resultQueue ??= new Queue<string>(taskNumber));
}

// 创建类似的queueManager
class QueueManager extends BaseManager {
  declare getTaskQueue: () => Promise<AutoProxyOf<Queue<string>>>;
  declare getResultQueue: () => Promise<AutoProxyOf<Queue<string>>>;
}

const authkey = Buffer.from('qiye');

async function winRun(): Promise<void> {
  // 注册在网络上，callable 关联了Queue 对象; 将Queue对象在网络中暴露
  QueueManager.register('getTaskQueue', { callable: getTask });
  QueueManager.register('getResultQueue', { callable: getResult });
  // 绑定端口和设置验证口令 (port 0: a free one)
  const manager = new QueueManager({ address: ['127.0.0.1', 0], authkey });

  // 启动管理，监听信息通道
  await manager.start();

  try {
    // 通过网络获取任务队列和结果队列
    const task = await manager.getTaskQueue();
    const result = await manager.getResultQueue();

    // 添加任务
    for (const url of Array.from({ length: 10 }, (_, i) => `ImageUrl_${i}`)) {
      console.log(`url is ${url}`);
      await task.put(url);
    }

    const worker = startWorker(manager.address as readonly [string, number]); // the seed's user starts it by hand
    worker.catch(() => {}); // awaited below

    console.log('try get result');
    for (let i = 0; i < 10; i++) {
      console.log(`result is ${await result.get({ timeout: 10_000 })}`);
    }
    await worker;
  } catch (error) {
    console.log('Manager error', error);
    process.exitCode = 1;
  } finally {
    await manager.shutdown();
  }
}

// worker工作机
async function workerMain(host: string, port: number): Promise<void> {
  // 实现第一步：使用QueueManager注册获取Queue的方法名称
  QueueManager.register('getTaskQueue');
  QueueManager.register('getResultQueue');

  // 实现第二步：连接到服务器:
  const serverAddr = host;
  console.log(`Connect to server ${serverAddr}...`);
  // 端口和验证口令注意保持与服务进程设置的完全一致:
  const m = new QueueManager({ address: [serverAddr, port], authkey });
  // 从网络连接:
  await m.connect();

  // 实现第三步：获取Queue的对象:
  const task = await m.getTaskQueue();
  const result = await m.getResultQueue();

  // 实现第四步：从task队列取任务,并把结果写入result队列:
  while (!(await task.empty())) {
    const imageUrl = await task.get({ block: true, timeout: 5000 });
    console.log(`run task download ${imageUrl}...`);
    await sleep(100);
    await result.put(`${imageUrl}--->success`);
  }
  // 处理结束:
  console.log('worker exit.');
}

/** Runs this file as the worker, a separate program; resolves when it exits cleanly. */
function startWorker([host, port]: readonly [string, number]): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'worker', host, String(port)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`the worker failed (${signal ?? `exit code ${code}`})`))));
  });
}

if (isMainProcess()) {
  if (process.argv[2] === 'worker') {
    await workerMain(process.argv[3], Number(process.argv[4]));
  } else {
    // window下多进程可能有问题，添加这句话缓解
    freezeSupport();
    await winRun();
  }
}
