// The pool's per-worker list of tasks in flight (src/pool/in-flight.ts): most leave from the
// front, some from anywhere (cancel, abort, rebalance); it must never lose or repeat one, also
// across its compaction, which only a worker that never runs dry reaches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InFlight } from '../../src/pool/in-flight.ts';

interface Item {
  id: number;
  position: number;
}

const item = (id: number): Item => ({ id, position: -1 });
const ids = (set: InFlight<Item>): number[] => set.toArray().map((i) => i.id);

test('tasks leave from the front, the middle and the back; the order of the rest holds', () => {
  const set = new InFlight<Item>();
  const items = Array.from({ length: 6 }, (_, i) => item(i));
  for (const i of items) set.add(i);
  set.delete(items[0]);
  set.delete(items[3]);
  set.delete(items[5]);
  set.delete(items[3]); // twice: no effect
  assert.deepEqual(ids(set), [1, 2, 4]);
  assert.equal(set.size, 3);
  assert.equal(items[3].position, -1);
  for (const i of [items[1], items[2], items[4]]) set.delete(i);
  assert.equal(set.size, 0);
  assert.deepEqual(ids(set), []);
  set.add(items[0]);
  assert.deepEqual(ids(set), [0]);
  assert.equal(items[0].position, 0, 'an emptied list starts again');
});

test('a list that never runs dry is compacted, and every position stays right', () => {
  const set = new InFlight<Item>();
  const live: Item[] = [];
  let next = 0;
  // Steady stream: add 3, remove the oldest 2 (and now and then one from the middle).
  for (let round = 0; round < 5000; round++) {
    for (let k = 0; k < 3; k++) {
      const i = item(next++);
      set.add(i);
      live.push(i);
    }
    for (let k = 0; k < 2; k++) set.delete(live.shift()!);
    if (round % 7 === 0 && live.length > 4) set.delete(live.splice(2, 1)[0]);
  }
  assert.equal(set.size, live.length);
  assert.deepEqual(ids(set), live.map((i) => i.id));
  for (const i of live) set.delete(i); // each found by its (renumbered) position
  assert.equal(set.size, 0);
});
