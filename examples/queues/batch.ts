/**
 * Seed 002 "批量生产数据放入队列再批量获取结果": a Queue of at most 3 items, 10 processes
 * that each put one message, 10 processes that each get one.
 *
 *   def inp_que(q):
 *       info = str(os.getpid())+'(put):'+time.asctime()
 *       q.put(info)
 *       print(info)
 *
 *   def get_que(q):
 *       info = q.get()
 *       print('\033[32m{}(get):{}\033[0m'.format(os.getpid(), info))
 *
 *   if __name__ == '__main__':
 *       q = Queue(3)
 *       inp_list = []  # store input processes
 *       get_list = []  # store output processes
 *       for i in range(10):  # 输入进程
 *           p = Process(target=inp_que, args=(q,))
 *           inp_list.append(p)
 *           p.start()
 *       for i in range(10):  # 输出进程
 *           p = Process(target=get_que, args=(q,))
 *           get_list.append(p)
 *           p.start()
 *       for p in inp_list:
 *           p.join()
 *       for p in get_list:
 *           p.join()
 *
 * With maxsize 3, a putter that finds three messages waiting blocks in putSync() until a
 * getter makes room, as Python's q.put() does. The children use the Sync forms: each does
 * one blocking call and exits. time.asctime() → Date#toString().
 *
 *   npx tsx examples/queues/batch.ts
 */
import { Process, Queue, isMainProcess } from 'multiprocessing-ts';

// 输入
export function inpQue(q: Queue<string>): void {
  const info = `${process.pid}(put):${new Date().toString()}`;
  q.putSync(info);
  console.log(info);
}

// 获取消息
export function getQue(q: Queue<string>): void {
  const info = q.getSync();
  console.log(`\x1b[32m${process.pid}(get):${info}\x1b[0m`);
}

if (isMainProcess()) {
  const q = new Queue<string>(3);
  const inpList: Process[] = []; // store input processes
  const getList: Process[] = []; // store output processes

  // 输入进程
  for (let i = 0; i < 10; i++) {
    const p = new Process({ target: inpQue, args: [q] });
    inpList.push(p);
    p.start();
  }

  // 输出进程
  for (let i = 0; i < 10; i++) {
    const p = new Process({ target: getQue, args: [q] });
    getList.push(p);
    p.start();
  }

  for (const p of inpList) await p.join();
  for (const p of getList) await p.join();
  console.log('qsize:', q.qsize()); // 0: ten in, ten out
}
