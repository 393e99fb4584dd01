// Reference counting (G3): the server keeps an object while someone holds a reference — per
// proxy, counted per connection — and drops it when every holder is gone: a proxy collected
// here, a child that made it and exited. A proxy on its way to another process keeps its
// object alive (transit) though the sender dropped its own. What is dropped is seen as a
// RemoteError "no object with id" through a handle that holds no reference (CounterHandle
// .withId), and as the server's count of live Counters going down.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Manager, Queue, RemoteError, type DictProxy, type SyncManager } from 'multiprocessing-ts';
import { makeCounterAndExit, proxyFromQueue } from '../fixtures/manager-targets.ts';
import { ExtendedManager, type CounterHandle, type CounterProxy, type TaskQueueProxy } from '../fixtures/manager-types.ts';
import { sleep } from '../helpers.ts';
import { LONG, METHODS, checkNothingLeft, collectGarbage, errorLike, eventually, joinAll, shmNames, shutdownAndCheck, start } from './_util.ts';

let manager: SyncManager;
let ext: ExtendedManager;
/** A handle of `ext`'s server: its withId() reaches any object there without a reference. */
let probe: CounterHandle;
const shmBefore = shmNames();
before(async () => {
  manager = await Manager();
  ext = new ExtendedManager();
  await ext.start();
  probe = await ext.Handle(0);
});
after(async () => {
  await shutdownAndCheck(manager);
  await shutdownAndCheck(ext);
  await checkNothingLeft(shmBefore);
});

const collected = new Set<string>();
const watcher = new FinalizationRegistry<string>((tag) => collected.add(tag));

/** Watches `object` under `tag` (the proxy must be unreachable once the caller returns). */
function watch<T extends object>(object: T, tag: string): T {
  watcher.register(object, tag);
  return object;
}

/** Collects garbage until the object watched as `tag` is gone; then a moment for the library's own finalizer (its decref). */
async function untilCollected(tag: string): Promise<void> {
  for (let i = 0; i < 100 && !collected.has(tag); i++) await collectGarbage();
  assert.ok(collected.has(tag), `${tag} was not collected`);
  await sleep(50);
}

const alive = async (id: string): Promise<boolean> => {
  try {
    await probe.withId(id).value();
    return true;
  } catch (error) {
    errorLike(RemoteError, /no object with id/)(error);
    return false;
  }
};

test('a proxy collected here gives its reference back: the object is dropped (RemoteError "no object with id" through a stale token)', async () => {
  const id = await (async () => {
    const c = watch(await ext.Counter(3), 'lonely counter');
    assert.equal(await c.increment(), 4);
    return c.token.id;
  })();
  assert.equal(await alive(id), true, 'held while the proxy lives');
  await untilCollected('lonely counter');
  await eventually(async () => !(await alive(id)), 'the object dropped after its only proxy was collected', 10_000);
  await assert.rejects(probe.withId(id).value(), errorLike(RemoteError, new RegExp(`Handle\\.value\\(\\): no object with id ${id} \\(it was released`)));
});

test('two proxies of one object (the same queue asked for twice) are two references: it lives until both are collected', async () => {
  const holder: { second: TaskQueueProxy | null } = { second: null };
  const id = await (async () => {
    const first = watch(await ext.TaskQueue(), 'first queue proxy');
    holder.second = watch(await ext.TaskQueue(), 'second queue proxy');
    assert.equal(holder.second.token.id, first.token.id);
    return first.token.id;
  })();
  await untilCollected('first queue proxy');
  assert.equal(await holder.second?.qsize(), 0, 'still served: the second proxy holds it');
  holder.second = null;
  await untilCollected('second queue proxy');
  await eventually(async () => {
    try {
      await probe.withId(id).callMethod('qsize');
      return false;
    } catch (error) {
      return error instanceof RemoteError && /no object with id/.test(error.message);
    }
  }, 'the queue dropped after both proxies were collected', 10_000);
});

for (const method of METHODS) {
  test(`an object only a child ('${method}') held is dropped when the child exits`, { timeout: 60_000 }, async (t) => {
    const factory = await ext.Factory();
    const ids = await manager.Queue<string>();
    const control = await manager.Event();
    const child = start(t, method, makeCounterAndExit, [factory, ids, control]);
    const id = await ids.get({ timeout: LONG });
    assert.equal(await probe.withId(id).value(), 7, 'the child\'s counter, alive while the child holds it');
    const liveBefore = await factory.liveCounters();
    await control.set();
    await joinAll([child]);
    await eventually(async () => !(await alive(id)), 'the child\'s object dropped after it exited', 10_000);
    assert.ok((await factory.liveCounters()) < liveBefore, 'and collected in the server');
  });
}

test('transit: a proxy put on a library Queue keeps its object alive after the sender dropped its own proxy, until a child takes it', { timeout: 60_000 }, async (t) => {
  const q = new Queue<{ dict: DictProxy<string, unknown>; counter?: CounterProxy }>();
  t.after(() => q.close());
  const dict = await manager.dict<string, unknown>();
  const { sentId, keptId } = await (async () => {
    const sent = watch(await ext.Counter(1), 'sent counter');
    const kept = watch(await ext.Counter(1), 'unsent counter');
    await q.put({ dict, counter: sent });
    return { sentId: sent.token.id, keptId: kept.token.id };
  })();
  await untilCollected('sent counter');
  await untilCollected('unsent counter');
  await eventually(async () => !(await alive(keptId)), 'the unsent counter dropped (so a collected proxy does give its reference back)', 10_000);
  assert.equal(await alive(sentId), true, 'the sent one is kept for its receiver');
  await joinAll([start(t, 'spawn', proxyFromQueue, [q])]);
  assert.equal(await dict.get('counter'), 11, 'the child got it working and incremented it');
  assert.equal(await probe.withId(sentId).value(), 11);
});
