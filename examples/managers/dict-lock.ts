/**
 * Seed 002 "循环修改" with a lock, both of the seed's ways: lock.acquire() … lock.release(),
 * then "使用上下文管理" (`with lock:`). Processes each decrement a count in a manager dict
 * under a Lock; no update is lost, so the count ends at 0.
 *
 *   def func(dic, lock):
 *       lock.acquire()  # 取得锁
 *       dic['count'] -= 1  # 每次减1
 *       lock.release()  # 释放锁
 *
 *   def func(dic, lock):  # 使用上下文管理
 *       with lock:
 *           dic['count'] -= 1  # 每次减1
 *
 *   if __name__ == '__main__':
 *       m = Manager()  # 创建一个server进程
 *       lock = Lock()  # 创建锁
 *       dic = m.dict({'count': 100})  # 这是一个特殊的字典
 *       p_lst = []  # 定义一个空列表
 *       for i in range(100):  # 启动100个进程
 *           p = Process(target=func, args=(dic, lock))
 *           p_lst.append(p)  # 进程追加到列表中
 *           p.start()  # 启动进程
 *       for p in p_lst: p.join()  # 等待100个进程全部结束
 *       print(dic)
 *   # {'count': 0}
 *
 * The seed's lock is multiprocessing.Lock(), not the manager's, and so is this one: a Lock of
 * this library lives in shared memory and crosses to a Process as an argument (`await
 * m.Lock()` would do as well, at the cost of a request per acquire and release). `with lock:`
 * is `withLock()`; `using held = await lock.hold()` is another way to write it.
 *
 * 100 processes (and a count of 100) → 15 for each of the two programs, run one after the
 * other: each process is a new Node.js, and 100 take some 20 s on a 2-core machine. Give the
 * seed's number to run it as it is:
 *
 *   npx tsx examples/managers/dict-lock.ts
 *   npx tsx examples/managers/dict-lock.ts 100
 */
import { Lock, Manager, Process, isMainProcess, type DictProxy } from 'multiprocessing-ts';

export async function func(dic: DictProxy<string, number>, lock: Lock): Promise<void> {
  await lock.acquire(); // 取得锁
  await dic.set('count', (await dic.get('count'))! - 1); // 每次减1
  lock.release(); // 释放锁
}

// 使用上下文管理
export async function funcWith(dic: DictProxy<string, number>, lock: Lock): Promise<void> {
  await lock.withLock(async () => {
    await dic.set('count', (await dic.get('count'))! - 1); // 每次减1
  });
}

if (isMainProcess()) {
  const n = Number(process.argv[2] ?? 15);
  await using m = await Manager(); // 创建一个server进程
  for (const target of [func, funcWith]) {
    const lock = new Lock(); // 创建锁
    const dic = await m.dict({ count: n }); // 这是一个特殊的字典
    const pLst: Process[] = []; // 定义一个空列表
    for (let i = 0; i < n; i++) {
      // 启动100个进程 (n)
      const p = new Process({ target, args: [dic, lock] });
      pLst.push(p); // 进程追加到列表中
      p.start(); // 启动进程
    }
    for (const p of pLst) await p.join(); // 等待100个进程全部结束 (n)
    console.log(`${target.name}:`, await dic.copy()); // Map(1) { 'count' => 0 }
  }
}
