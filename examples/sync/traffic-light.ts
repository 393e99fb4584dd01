/**
 * Seed 002 "红绿灯 / 最终版": a traffic-light process switches an Event on (green) and off
 * (red); car processes wait for the Event before they pass. Red and green last 250 ms
 * (Python: 2 s), cars arrive every 100–300 ms (Python: 1–3 s), so it all takes about 3 s.
 *
 *   def traffic_light(e):
 *       count = 0
 *       while count < 6:
 *           print('\033[1;31m红灯亮\033[0m')
 *           time.sleep(2)
 *           if not e.is_set(): e.set()
 *           print('\033[1;32m绿灯亮\033[0m')
 *           time.sleep(2)
 *           if e.is_set(): e.clear()
 *           count += 1
 *
 *   def car(i, e):
 *       if not e.is_set():
 *           print('car%s正在等待' % i)
 *       e.wait()
 *       print('car%s通过路口' % i)
 *
 *   if __name__ == '__main__':
 *       e = Event()
 *       Process(target=traffic_light, args=(e,)).start()
 *       for i in range(1, 6):
 *           time.sleep(random.randint(1, 3))
 *           Process(target=car, args=(i, e)).start()
 *
 * A car blocks in waitSync() as Python's e.wait() does: it has nothing else to do. Python's
 * wait has no limit; here a car gives up after 5 s, so that a car arriving after the light has
 * stopped (on red) cannot hang the example. The main process sleeps with a Promise, never
 * blocking its event loop.
 *
 *   npx tsx examples/sync/traffic-light.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Event, Process, isMainProcess } from 'multiprocessing-ts';

export async function trafficLight(e: Event): Promise<void> {
  let count = 0;
  while (count < 6) {
    console.log('\x1b[1;31m红灯亮\x1b[0m');
    await sleep(250);
    if (!e.isSet()) e.set();
    console.log('\x1b[1;32m绿灯亮\x1b[0m');
    await sleep(250);
    if (e.isSet()) e.clear();
    count += 1;
  }
}

export function car(i: number, e: Event): void {
  if (!e.isSet()) {
    console.log(`car${i}正在等待`);
  }
  if (e.waitSync(5000)) {
    console.log(`car${i}通过路口`);
  } else {
    console.log(`car${i}: no green light within 5 s, the traffic light has stopped`);
  }
}

if (isMainProcess()) {
  const e = new Event();
  new Process({ target: trafficLight, args: [e] }).start();
  for (let i = 1; i < 6; i++) {
    await sleep(100 * (1 + Math.floor(Math.random() * 3))); // random.randint(1, 3), in tenths of a second
    new Process({ target: car, args: [i, e] }).start();
  }
}
