/**
 * Seed 002 "回调函数": apply_async(func1, (10,), callback=func2). func1 runs in a worker and
 * returns 100; as soon as it has, func2 is called with 100 — in the main process, as the pids
 * printed show.
 *
 *   def func1(n):
 *       print('in func1', os.getpid())
 *       return n * n
 *
 *   def func2(nn):
 *       print('in func2', os.getpid())
 *       print(nn)
 *
 *   if __name__ == '__main__':
 *       print('主进程:', os.getpid())
 *       p = Pool(5)
 *       p.apply_async(func1, args=(10,), callback=func2)
 *       p.close()
 *       p.join()
 *
 *   # 主进程: 14244
 *   # in func1 14440
 *   # in func2 14244
 *   # 100
 *
 * The callback is an ordinary function of the main program (it never crosses to a worker, so
 * it need not be exported); errorCallback is its counterpart for a task that throws.
 *
 *   npx tsx examples/pool/callback.ts
 */
import { Pool, isMainProcess } from 'multiprocessing-ts';

export function func1(n: number): number {
  console.log('in func1', process.pid);
  return n * n;
}

function func2(nn: number): void {
  console.log('in func2', process.pid);
  console.log(nn);
}

if (isMainProcess()) {
  console.log('主进程:', process.pid);
  const p = new Pool(5);
  p.applyAsync(func1, [10], { callback: func2 });
  p.close();
  await p.join();
}
