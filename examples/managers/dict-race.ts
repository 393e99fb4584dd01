/**
 * Seed 002 "循环修改": 100 processes each do `dic['count'] -= 1` on a manager dict, no lock.
 *
 *   def func(dic):
 *       dic['count'] -= 1  # 每次减1
 *
 *   if __name__ == '__main__':
 *       m = Manager()  # 创建一个server进程
 *       dic = m.dict({'count': 100})  # 这是一个特殊的字典
 *       p_lst = []  # 定义一个空列表
 *       for i in range(100):  # 启动100个进程
 *           p = Process(target=func, args=(dic,))
 *           p_lst.append(p)  # 进程追加到列表中
 *           p.start()  # 启动进程
 *       for p in p_lst: p.join()  # 等待100个进程全部结束
 *       print(dic)  # 打印dic的值
 *
 * The seed got {'count': 2}, {'count': 0}, {'count': 2}, {'count': 3}, {'count': 1} in five
 * runs: `dic['count'] -= 1` is a get and then a set, and two processes that get the same
 * count lose one decrement. The result is racy here too (it depends on how the children's
 * start-ups overlap, and here far more of them overlap than in the seed's runs): it is
 * printed as it comes, with the number of lost updates.
 *
 * 100 processes (and a count of 100) → 20 by default: each process is a new Node.js, and 100
 * take some 20 s on a 2-core machine. Give the seed's number to run it as it is:
 *
 *   npx tsx examples/managers/dict-race.ts
 *   npx tsx examples/managers/dict-race.ts 100
 */
import { Manager, Process, isMainProcess, type DictProxy } from 'multiprocessing-ts';

export async function func(dic: DictProxy<string, number>): Promise<void> {
  await dic.set('count', (await dic.get('count'))! - 1); // dic['count'] -= 1, not atomic
}

if (isMainProcess()) {
  await using m = await Manager(); // 创建一个server进程
  const n = Number(process.argv[2] ?? 20);
  const dic = await m.dict({ count: n }); // 这是一个特殊的字典
  const pLst: Process[] = []; // 定义一个空列表
  for (let i = 0; i < n; i++) {
    // 启动100个进程 (n)
    const p = new Process({ target: func, args: [dic] });
    pLst.push(p); // 进程追加到列表中
    p.start(); // 启动进程
  }
  for (const p of pLst) await p.join(); // 等待100个进程全部结束 (n)
  const count = (await dic.get('count'))!;
  console.log(await dic.copy()); // 打印dic的值: Map(1) { 'count' => 0 } if no update was lost
  console.log(`(${count} lost update${count === 1 ? '' : 's'}: racy, may differ from run to run)`);
}
