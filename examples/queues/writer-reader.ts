/**
 * Seed 003 "队列（Queue）": two writers put URLs into a Queue, a reader loops on get()
 * for ever; when the writers are done, the parent terminates the reader. Random sleeps up to
 * 100 ms (Python: up to 1 s).
 *
 *   def _write(q,urls):
 *       print('Process(%s) is writing...' % os.getpid())
 *       for url in urls:
 *           q.put(url)
 *           print('Put %s to queue...' % url)
 *           time.sleep(random.random())
 *
 *   def _read(q):
 *       print('Process(%s) is reading...' % os.getpid())
 *       while True:
 *           url = q.get(True)
 *           print('Get %s from queue.' % url)
 *
 *   if __name__=='__main__':
 *       q = Queue()  # 父进程创建Queue，并传给各个子进程：
 *       _writer1 = Process(target=_write, args=(q,['url_1', 'url_2', 'url_3']))
 *       _writer2 = Process(target=_write, args=(q,['url_4','url_5','url_6']))
 *       _reader = Process(target=_read, args=(q,))
 *       _writer1.start()  # 启动子进程_writer，写入:
 *       _writer2.start()
 *       _reader.start()  # 启动子进程_reader，读取:
 *       _writer1.join()  # 等待_writer结束:
 *       _writer2.join()
 *       _reader.terminate()  # _reader进程里是死循环，无法等待其结束，只能强行终止:
 *
 * q.get(True) is getSync({ block: true }) (block is the default). Terminating the reader right
 * after the writers end may cut it off before it has printed the last URLs — the seed's race
 * too. Here the parent first waits (up to 2 s) for the queue to drain, then terminates the
 * reader. A reader killed in the middle of a get loses nothing: the queue's locks are robust.
 *
 *   npx tsx examples/queues/writer-reader.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, Queue, isMainProcess } from 'multiprocessing-ts';

// 写数据进程执行的代码:
export async function write(q: Queue<string>, urls: string[]): Promise<void> {
  console.log(`Process(${process.pid}) is writing...`);
  for (const url of urls) {
    await q.put(url);
    console.log(`Put ${url} to queue...`);
    await sleep(Math.random() * 100);
  }
}

// 读数据进程执行的代码:
export function read(q: Queue<string>): void {
  console.log(`Process(${process.pid}) is reading...`);
  while (true) {
    const url = q.getSync({ block: true });
    console.log(`Get ${url} from queue.`);
  }
}

if (isMainProcess()) {
  // 父进程创建Queue，并传给各个子进程：
  const q = new Queue<string>();
  const writer1 = new Process({ target: write, args: [q, ['url_1', 'url_2', 'url_3']] });
  const writer2 = new Process({ target: write, args: [q, ['url_4', 'url_5', 'url_6']] });
  const reader = new Process({ target: read, args: [q] });
  // 启动子进程_writer，写入:
  writer1.start();
  writer2.start();
  // 启动子进程_reader，读取:
  reader.start();
  // 等待_writer结束:
  await writer1.join();
  await writer2.join();
  for (let waited = 0; !q.empty() && waited < 2000; waited += 10) await sleep(10);
  await sleep(50); // the last get has returned; let its line be printed
  // _reader进程里是死循环，无法等待其结束，只能强行终止:
  reader.terminate();
  console.log('reader exitcode:', await reader.join()); // -15
}
