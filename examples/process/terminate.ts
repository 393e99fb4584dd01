/**
 * Seed 000 "Process类方法、属性" notes: terminate() does not end the child at once (is_alive()
 * shows it), join() waits until it has really ended; exitcode is -N for signal N. Also kill(),
 * sentinel, authkey and close().
 *
 *   npx tsx examples/process/terminate.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, isMainProcess } from 'multiprocessing-ts';

export async function forever(): Promise<void> {
  for (;;) await sleep(1000);
}

export function exitWith(code: number): void {
  process.exit(code);
}

if (isMainProcess()) {
  const p = new Process({ target: forever });
  console.log('before start: pid', p.pid, 'exitcode', p.exitcode, 'authkey bytes', p.authkey.length);
  p.start();
  await sleep(200);
  p.terminate(); // 强制终止进程 (SIGTERM)
  console.log('after terminate(), is_alive:', p.isAlive()); // usually still true
  await p.join(); // 关闭子进程应先 p.terminate() 再 p.join()
  console.log('after join(), is_alive:', p.isAlive(), 'exitcode:', p.exitcode); // -15
  p.close(); // release the process object

  const q = new Process({ target: forever });
  q.start();
  q.kill(); // SIGKILL
  console.log('kill(): sentinel resolved with', await q.sentinel); // -9

  const r = new Process({ target: exitWith, args: [3] });
  r.start();
  console.log('process.exit(3) in the child: join() returned', await r.join());
}
