/**
 * Seed 002 "购票 / 加锁": five buyers, one ticket in a JSON file. Each reads the file, buys if
 * a ticket is left, writes the file back — under a Lock, so exactly one succeeds. Without
 * the lock (the seed's "有错" version) all five read count 1 and all "succeed".
 * The ticket file lives in a temporary directory, removed at the end; the random delays
 * are up to 100 ms (Python: up to 1 s).
 *
 *   def buy_ticket(i, l):  # 购票
 *       l.acquire()  # 取得锁
 *       with open('ticket') as f:  # 读取文件
 *           tick_count = json.load(f)  # 反序列化
 *           time.sleep(random.random())  # 读取延时
 *       if tick_count['count'] > 0:  # 当余票大于于0时
 *           print('person%s购票成功' % i)
 *           tick_count['count'] -= 1  # 票数减1
 *       else:
 *           print('余票不足,person%s购票失败' % i)
 *       time.sleep(random.random())  # 写入延时
 *       with open('ticket', 'w') as f:
 *           json.dump(tick_count, f)  # 写入文件
 *       l.release()  # 释放锁
 *
 *   if __name__ == '__main__':
 *       lock = Lock()  # 创建锁
 *       for i in range(5):  # 模拟5个用户抢票
 *           Process(target=buy_ticket, args=(i, lock)).start()
 *
 * Here with `using`: the lock is released when `held` goes out of scope, whatever happens.
 *
 *   npx tsx examples/sync/ticket.ts
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Lock, Process, isMainProcess } from 'multiprocessing-ts';

export async function buyTicket(i: number, l: Lock, ticket: string): Promise<void> {
  using held = await l.hold(); // 取得锁 (released at the end of the function)
  const tickCount = JSON.parse(readFileSync(ticket, 'utf8')) as { count: number }; // 读取文件, 反序列化
  await sleep(Math.random() * 100); // 读取延时
  if (tickCount.count > 0) {
    console.log(`person${i}购票成功`);
    tickCount.count -= 1; // 票数减1
  } else {
    console.log(`余票不足,person${i}购票失败`);
  }
  await sleep(Math.random() * 100); // 写入延时
  writeFileSync(ticket, JSON.stringify(tickCount)); // 写入文件
}

if (isMainProcess()) {
  const dir = mkdtempSync(join(tmpdir(), 'ticket-'));
  const ticket = join(dir, 'ticket');
  writeFileSync(ticket, JSON.stringify({ count: 1 }));
  try {
    const lock = new Lock(); // 创建锁
    const buyers: Process[] = [];
    for (let i = 0; i < 5; i++) {
      // 模拟5个用户抢票
      const p = new Process({ target: buyTicket, args: [i, lock, ticket] });
      p.start();
      buyers.push(p);
    }
    for (const p of buyers) await p.join();
    console.log('ticket:', readFileSync(ticket, 'utf8')); // {"count":0}
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
