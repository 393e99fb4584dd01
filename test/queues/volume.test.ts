// Volume: a producer that floods a queue and exits at once (no hang, unlike Python), an
// unbounded queue that never blocks a put, and a 200 MB Buffer through a queue, leaving no
// overflow segment behind.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from 'multiprocessing-ts';
import { flood, floodItem, sendHuge } from '../fixtures/queue-targets.ts';
import { LONG, METHODS, queueSegments, start } from './_util.ts';

const FLOOD = 10_000;
const BIG_EVERY = 2_000; // 5 items of 3 MB: larger than half the ring, so each goes to overflow
const BIG = 3 << 20;

/**
 * Segments now in /dev/shm that were not there before and have the size of the overflow segment
 * of a `size`-byte message (its data, a record header, a 64-byte reserve and a chunk header). Other
 * test files may run meanwhile and keep segments of other sizes: those are not counted.
 */
function newHugeSegments(before: Map<string, number>, size: number): [string, number][] {
  return [...queueSegments()].filter(([name, bytes]) => !before.has(name) && bytes >= size && bytes < size + (1 << 20));
}

test('an unbounded queue: 100,000 synchronous puts with no consumer never block; then all come out in order', { timeout: 60_000 }, () => {
  const q = new Queue<number>();
  const t0 = performance.now();
  for (let i = 0; i < 100_000; i++) q.putSync(i);
  for (let i = 100_000; i < 100_010; i++) q.putNowait(i); // never Full
  const putMs = performance.now() - t0;
  assert.equal(q.qsize(), 100_010);
  assert.equal(q.full(), false);
  for (let i = 0; i < 100_010; i++) {
    const v = q.getSync({ timeout: 1000 });
    if (v !== i) assert.fail(`item ${i} came out as ${v}`);
  }
  assert.equal(q.empty(), true);
  assert.ok(putMs < 20_000, `100k puts took ${putMs} ms`);
});

for (const method of METHODS) {
  describe(`volume through a '${method}' child`, () => {
    for (const mode of ['sync', 'async'] as const) {
      test(`a producer puts ${FLOOD} items (5 of 3 MB) with ${mode} puts and returns with nobody reading: join() resolves promptly; every item arrives in order`, { timeout: 90_000 }, async (t) => {
        const q = new Queue<number | Buffer>();
        const producer = start(t, method, flood, [q, FLOOD, BIG_EVERY, BIG, mode]);
        assert.equal(await producer.join(30_000), 0, 'the producer exited on its own, without anyone reading');
        const joinedAt = Date.now();
        assert.equal(q.qsize(), FLOOD + 1, 'everything it put is in the queue after it exited');
        for (let i = 0; i < FLOOD; i++) {
          const item = i % 2 ? q.getSync({ timeout: LONG }) : await q.get({ timeout: LONG });
          const expected = floodItem(i, BIG_EVERY, BIG);
          if (typeof expected === 'number') {
            if (item !== expected) assert.fail(`item ${i} is ${String(item)}`);
          } else {
            assert.ok(Buffer.isBuffer(item), `item ${i} is a Buffer`);
            assert.equal(item.length, BIG);
            assert.ok(item.equals(expected), `item ${i}'s bytes`);
          }
        }
        // The last item is when the producer's target returned: its exit did not wait for a reader.
        const finishedAt = (await q.get({ timeout: LONG })) as number;
        const lag = joinedAt - finishedAt;
        assert.ok(lag < 5000, `join() resolved ${lag} ms after the producer's target returned`);
        assert.equal(q.empty(), true);
        t.diagnostic(`join() resolved ${lag} ms after the producer's target returned`);
      });
    }

    test('a 200 MB Buffer from the child to this process; its overflow segment is gone from /dev/shm after the next put/get', { timeout: 120_000 }, async (t) => {
      const size = 200 << 20;
      const before = queueSegments();
      const q = new Queue<Buffer | number>();
      const child = start(t, method, sendHuge, [q, size]);
      const got = (await q.get({ timeout: 60_000 })) as Buffer;
      assert.equal(await child.join(30_000), 0);
      assert.ok(Buffer.isBuffer(got));
      assert.equal(got.length, size);
      assert.deepEqual([got[0], got[1], got[size >> 1], got[(size >> 1) + 1], got[size - 2], got[size - 1]], [1, 0x5a, 2, 0x5a, 0x5a, 3]);
      assert.equal(q.empty(), true);
      // The queue goes on working after the overflow segment was left.
      q.putSync(1);
      assert.equal(q.getSync({ timeout: 1000 }), 1);
      assert.deepEqual(newHugeSegments(before, size), [], 'the overflow segment of the 200 MB message was unlinked');
    });

    test('a 200 MB message read: no overflow segment is left in /dev/shm at once', {
      timeout: 120_000,
    }, async (t) => {
      const size = 200 << 20;
      const before = queueSegments();
      const q = new Queue<Buffer | number>();
      t.after(() => {
        // Lets the reader move past the segment, so it does not hold 200 MB for the other tests.
        q.putSync(0);
        q.getSync({ timeout: 1000 });
      });
      const child = start(t, method, sendHuge, [q, size]);
      const got = (await q.get({ timeout: 60_000 })) as Buffer;
      assert.equal(await child.join(30_000), 0);
      assert.equal(got.length, size);
      assert.equal(q.qsize(), 0);
      assert.deepEqual(newHugeSegments(before, size), [], 'the overflow segment of the 200 MB message was unlinked when read');
    });
  });
}
