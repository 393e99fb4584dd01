/**
 * Seed 002 "修改字典的值": a child decrements a count in a manager dict; the child and the
 * parent both see 99.
 *
 *   def func(dic):
 *       dic['count'] = dic['count'] - 1
 *       print(dic)
 *
 *   if __name__ == '__main__':
 *       m = Manager()  # 创建一个server进程
 *       dic = m.dict({'count': 100})  # 这是一个特殊的字典
 *       p = Process(target=func, args=[dic, ])
 *       p.start()
 *       p.join()
 *       print(dic)
 *
 *   # {'count': 99}
 *   # {'count': 99}
 *
 * The dicts print as Maps. The seed never shuts its manager down (Python does it at exit);
 * `await using` does it here.
 *
 *   npx tsx examples/managers/dict-count.ts
 */
import { Manager, Process, isMainProcess, type DictProxy } from 'multiprocessing-ts';

export async function func(dic: DictProxy<string, number>): Promise<void> {
  await dic.set('count', (await dic.get('count'))! - 1);
  console.log(await dic.copy()); // Map(1) { 'count' => 99 }
}

if (isMainProcess()) {
  await using m = await Manager(); // 创建一个server进程
  const dic = await m.dict({ count: 100 }); // 这是一个特殊的字典
  const p = new Process({ target: func, args: [dic] });
  p.start();
  await p.join();
  console.log(await dic.copy()); // Map(1) { 'count' => 99 }
}
