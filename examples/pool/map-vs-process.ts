/**
 * Seed 002 "效率对比": Pool(5).map over 100 calls of a function that does nothing, against 100
 * Process objects started and joined; the two times are printed. Starting a process costs far
 * more than sending a task to a running one, which is what the seed shows.
 *
 *   def func(n):
 *       pass
 *
 *   if __name__ == '__main__':
 *       t1 = time.time()
 *       pool = Pool(5)
 *       pool.map(func, range(100))
 *       t2 = time.time()
 *       p_lst = []
 *       for i in range(100):
 *           p = Process(target=func, args=(i,))
 *           p.start()
 *           p_lst.append(p)
 *       for p in p_lst: p.join()
 *       t3 = time.time()
 *       print(t2 - t1, t3 - t2)
 *
 *   # 0.16640734672546387 3.1360883712768555
 *
 * Each process here is a new Node.js (spawn): much heavier than a forked Python, so the gap is
 * larger. Pass `thread` to compare with threads instead (getContext('thread')), e.g.
 *
 *   npx tsx examples/pool/map-vs-process.ts
 *   npx tsx examples/pool/map-vs-process.ts thread
 */
import { getContext, isMainProcess, type Process, type StartMethod } from 'multiprocessing-ts';

export function func(_n: number): void {
  // pass
}

if (isMainProcess()) {
  const ctx = getContext((process.argv[2] ?? 'spawn') as StartMethod);
  const t1 = performance.now();
  const pool = new ctx.Pool(5);
  await pool.map(func, Array.from({ length: 100 }, (_, i) => i));
  const t2 = performance.now();
  const pLst: Process[] = [];
  for (let i = 0; i < 100; i++) {
    const p = new ctx.Process({ target: func, args: [i] });
    p.start();
    pLst.push(p);
  }
  for (const p of pLst) await p.join();
  const t3 = performance.now();
  console.log(`${ctx.getStartMethod()}: Pool.map ${((t2 - t1) / 1000).toFixed(3)} s, 100 Processes ${((t3 - t2) / 1000).toFixed(3)} s`);
  pool.close();
  await pool.join();
}
