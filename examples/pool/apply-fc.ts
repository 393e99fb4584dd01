/**
 * Seed 002 "Pool模块 / 代码实例": Pool(5) and five synchronous apply calls; each prints
 * 'func<i>' and the pid of the worker that ran it. time.sleep(0.5) → 100 ms.
 *
 *   def fc(i):
 *       time.sleep(0.5)
 *       print('func%s' % i, os.getpid())
 *
 *   if __name__ == '__main__':
 *       p = Pool(5)
 *       for i in range(5):
 *           p.apply(func=fc, args=(i,))  # 同步调用
 *
 *   # func0 2000
 *   # func1 11064 …
 *
 * Every pid printed is one of the pool's five workers; which worker takes which call is up to
 * the pool (one call at a time, so often the same idle worker). The pool is left open, as in
 * the seed: an idle pool does not keep the program alive.
 *
 *   npx tsx examples/pool/apply-fc.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool, isMainProcess } from 'multiprocessing-ts';

export async function fc(i: number): Promise<void> {
  await sleep(100);
  console.log(`func${i}`, process.pid);
}

if (isMainProcess()) {
  const p = new Pool(5);
  for (let i = 0; i < 5; i++) {
    await p.apply(fc, [i]); // 同步调用
  }
  console.log('workers:', p.processes.map((w) => w.pid).join(' '));
}
