/**
 * 使用Process守护进程 — seed 000 "Process2": a daemonic child ends with its parent, a normal
 * child is waited for. Sleeps are shortened (0.2 s → 100 ms, 1 s → 500 ms).
 *
 *   npx tsx examples/process/daemon.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, isMainProcess } from 'multiprocessing-ts';

// Python's module-level `i_func = 0`: each process has its own copy.
let iFunc = 0;

export async function daemonProcess(): Promise<void> {
  while (true) {
    iFunc += 1;
    await sleep(100);
    console.log(`守护进程还活着${iFunc}`);
  }
}

export async function comProcess(): Promise<void> {
  console.log('普通进程开始......');
  await sleep(500);
  console.log('普通进程结束......');
}

if (isMainProcess()) {
  const pD = new Process({ target: daemonProcess });
  pD.daemon = true; // 设置子进程为守护进程 (before start, as in Python)
  pD.start();
  const pC = new Process({ target: comProcess }); // 普通进程
  pC.start();
  console.log(`普通进程：${pC.name}，是否活着：${pC.isAlive()}`);
  await pC.join();
  console.log(`普通进程：${pC.name}，是否活着：${pC.isAlive()}`);
  console.log('准备休眠......');
  await sleep(500);
  console.log('休眠结束......');
  // The main process ends here; the daemonic child is terminated with it.
}
