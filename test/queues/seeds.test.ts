// The seeds' Queue programs (Chinese blog posts on Python's multiprocessing.Queue), as tests,
// on both start methods: producer/consumer with a null sentinel, two producers and two
// consumers, Queue(3) with 10 putters and 10 getters, Queue(5) with putNowait/getNowait.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from 'multiprocessing-ts';
import { bunConsumer, bunProducer, getQue, inpQue, procGet, procPut } from '../fixtures/queue-targets.ts';
import { LONG, METHODS, drain, joinAll, start, startChildren } from './_util.ts';

const buns = (name: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${name}包子${i + 1}`);

/** Collects [consumer, item] reports until every consumer has reported [name, null]. */
async function collect(results: Queue<[string, string | null]>, consumers: number): Promise<Map<string, string[]>> {
  const byConsumer = new Map<string, string[]>();
  let done = 0;
  while (done < consumers) {
    const [name, item] = await results.get({ timeout: LONG });
    if (!byConsumer.has(name)) byConsumer.set(name, []);
    if (item === null) done++;
    else byConsumer.get(name)!.push(item);
  }
  return byConsumer;
}

for (const method of METHODS) {
  describe(`the seeds' queue programs on '${method}'`, () => {
    test('the basics: a child takes what this process puts and puts back (seed 002 wahaha)', async (t) => {
      const q = new Queue<string | number>();
      q.putSync(1);
      q.putSync(2);
      q.putSync('aaa');
      assert.equal(q.getSync(), 1, 'print(q.get()) → 1');
      const results = new Queue();
      const child = start(t, method, bunConsumer, [q, results, 'wahaha', 0, 'sync']);
      q.putSync(null as unknown as string);
      assert.deepEqual(await results.get({ timeout: LONG }), ['wahaha', 2]);
      assert.deepEqual(await results.get({ timeout: LONG }), ['wahaha', 'aaa']);
      assert.deepEqual(await results.get({ timeout: LONG }), ['wahaha', null]);
      await joinAll([child]);
    });

    test('producer/consumer: the producer ends the stream with null, the consumer stops there', async (t) => {
      const q = new Queue<string | null>();
      const results = new Queue<[string, string | null]>();
      const children = startChildren(t, method, [
        [bunProducer, [q, 'p', 10, 30, true]],
        [bunConsumer, [q, results, 'xxx', 30, 'async']],
      ]);
      const got = await collect(results, 1);
      await joinAll(children);
      assert.deepEqual(got.get('xxx'), buns('p', 10), 'every bun, in order');
      assert.equal(q.qsize(), 0, 'the sentinel was taken too');
    });

    test('two producers, two consumers; this process puts one null per consumer after joining the producers', async (t) => {
      const q = new Queue<string | null>();
      const results = new Queue<[string, string | null]>();
      const producers = startChildren(t, method, [
        [bunProducer, [q, 'p1', 10, 30, false]],
        [bunProducer, [q, 'p2', 10, 30, false]],
      ]);
      const consumers = startChildren(t, method, [
        [bunConsumer, [q, results, 'c1', 30, 'sync']],
        [bunConsumer, [q, results, 'c2', 30, 'async']],
      ]);
      await joinAll(producers);
      // 有几个消费者就应该发送几次结束信号None
      q.putSync(null);
      await q.put(null);
      const got = await collect(results, 2);
      await joinAll(consumers);
      const all = [...(got.get('c1') ?? []), ...(got.get('c2') ?? [])];
      assert.deepEqual([...all].sort(), [...buns('p1', 10), ...buns('p2', 10)].sort(), 'each bun eaten exactly once');
      for (const [consumer, items] of got) {
        for (const producer of ['p1', 'p2']) {
          const seq = items.filter((item) => item.startsWith(producer)).map((item) => Number(item.slice(item.indexOf('子') + 1)));
          assert.deepEqual(seq, [...seq].sort((a, b) => a - b), `${consumer} got ${producer}'s buns in order`);
        }
      }
      assert.equal(q.qsize(), 0);
    });

    test('Queue(3) with 10 putting and 10 getting processes: every line received exactly once', { timeout: 120_000 }, async (t) => {
      const q = new Queue<string>(3);
      const results = new Queue<string>();
      const putters = startChildren(t, method, Array.from({ length: 10 }, (_, i) => [inpQue, [q, i]] as const));
      const getters = startChildren(t, method, Array.from({ length: 10 }, () => [getQue, [q, results]] as const));
      await joinAll(putters, 60_000);
      await joinAll(getters, 60_000);
      const lines = await drain(results, 10);
      assert.equal(results.qsize(), 0);
      const ids = lines.map((line) => Number(line.split(':')[0])).sort((a, b) => a - b);
      assert.deepEqual(ids, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], lines.join('\n'));
      for (const line of lines) assert.match(line, /^\d:\d+\(put\):\d{4}-/);
      if (method === 'spawn') {
        const pids = new Set(lines.map((line) => Number(line.split(':')[1].split('(')[0])));
        assert.deepEqual(pids, new Set(putters.map((p) => p.pid)), 'one line from each putting process');
      }
      assert.equal(q.qsize(), 0);
    });

    test('Queue(5): putNowait of 10 items with no reader → 5 sent, 5 Full; two getNowait readers take exactly those', async (t) => {
      const q = new Queue<number>(5);
      const results = new Queue<unknown[]>();
      const data = Array.from({ length: 10 }, (_, i) => 1 + ((i * 37) % 100));
      const sender = start(t, method, procPut, [q, data, results, 0]);
      await joinAll([sender]);
      const sends = await drain(results, 10);
      assert.deepEqual(sends.map(([what]) => what), ['sent', 'sent', 'sent', 'sent', 'sent', 'full', 'full', 'full', 'full', 'full']);
      assert.deepEqual(sends.map(([, dat]) => dat), data);
      assert.equal(q.qsize(), 5);
      assert.equal(q.full(), true);
      const readers = startChildren(t, method, [
        [procGet, [q, 'recv1', results, 5]],
        [procGet, [q, 'recv2', results, 5]],
      ]);
      await joinAll(readers);
      const reports: unknown[][] = [];
      while (results.qsize() > 0) reports.push(await results.get({ timeout: LONG }));
      assert.deepEqual(reports.filter(([what]) => what === 'done').length, 2);
      assert.deepEqual(reports.filter(([what]) => what === 'error'), []);
      const got = reports.filter(([what]) => what === 'got');
      assert.deepEqual(got.map(([, , dat]) => dat).sort(), data.slice(0, 5).sort(), 'each sent item exactly once');
      for (const name of ['recv1', 'recv2']) {
        const mine = got.filter(([, who]) => who === name).map(([, , dat]) => data.indexOf(dat as number));
        assert.deepEqual(mine, [...mine].sort((a, b) => a - b), `${name} took them in order`);
      }
      assert.equal(q.qsize(), 0);
    });

    test('Queue(5), as the seed runs it: one sender and two readers at once; nothing lost or duplicated', async (t) => {
      const q = new Queue<number>(5);
      const results = new Queue<unknown[]>();
      const data = Array.from({ length: 10 }, (_, i) => 100 + i);
      const children = startChildren(t, method, [
        [procPut, [q, data, results, 20]],
        [procGet, [q, 'recv1', results, 20]],
        [procGet, [q, 'recv2', results, 20]],
      ]);
      await joinAll(children);
      const reports: unknown[][] = [];
      while (results.qsize() > 0) reports.push(await results.get({ timeout: LONG }));
      assert.deepEqual(reports.filter(([what]) => what === 'error'), []);
      const sent = reports.filter(([what]) => what === 'sent').map(([, dat]) => dat as number);
      const full = reports.filter(([what]) => what === 'full').map(([, dat]) => dat as number);
      assert.deepEqual([...sent, ...full].sort(), data, 'every item was either sent or found the queue full');
      // The readers stop once they see qsize() 0: what they left is still in the queue.
      const got = reports.filter(([what]) => what === 'got').map(([, , dat]) => dat as number);
      const left: number[] = [];
      while (q.qsize() > 0) left.push(q.getNowait());
      assert.deepEqual([...got, ...left].sort(), [...sent].sort(), 'each sent item received exactly once');
      assert.deepEqual(left, [...left].sort(), 'what is left is in order');
    });
  });
}
