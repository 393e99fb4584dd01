// The seed programs' pipes, with children on both start methods: hello, ping-pong, the
// one-way producer/consumer where the parent closes both ends, the variant where each child
// closes the end it does not use, and '吃了么' with a None sentinel and with EOF.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Pipe, Queue } from 'multiprocessing-ts';
import {
  consumer,
  consumerClosingUnused,
  eatUntilEof,
  eatUntilNone,
  pingPong,
  producer,
  producerClosingUnused,
  sendHello,
} from '../fixtures/pipe-targets.ts';
import { METHODS, joinAll, start, startChildren } from '../synchronize/_util.ts';

for (const method of METHODS) {
  describe(`seed pipes on '${method}'`, () => {
    test("parent_conn, child_conn = Pipe(): the child sends 'Hello The_Third_Wave' and closes; the parent receives it, then EOF", async (t) => {
      const [parentConn, childConn] = Pipe<string>();
      const child = start(t, method, sendHello, [childConn]);
      assert.equal(await parentConn.recv({ timeout: 20_000 }), 'Hello The_Third_Wave');
      await joinAll([child]);
      childConn.close();
      await assert.rejects(parentConn.recv({ timeout: 5000 }), { name: 'EOFError' });
      parentConn.close();
    });

    test('a duplex pipe with a child: the child speaks first, then answers', async (t) => {
      const [mine, theirs] = Pipe<string>();
      const child = start(t, method, pingPong, [theirs]);
      theirs.close(); // the child holds its own copy
      assert.equal(await mine.recv({ timeout: 20_000 }), 'hello from the child');
      mine.send('hello from the parent');
      assert.equal(await mine.recv({ timeout: 20_000 }), 'the child heard: hello from the parent');
      await joinAll([child]);
      await assert.rejects(mine.recv({ timeout: 5000 }), { name: 'EOFError' });
      mine.close();
    });

    test('seed 000: Pipe(duplex=false), producer and consumer children, the parent closes both ends at once; the consumer gets EOFError once the producer is done', async (t) => {
      const products = Array.from({ length: 10 }, () => 1 + Math.floor(Math.random() * 10));
      const pipe = Pipe<number>(false);
      const results = new Queue<{ received: number[]; said: string }>();
      const [processProducer, processConsumer] = startChildren(t, method, [
        [producer, [pipe[1], products, 10]],
        [consumer, [pipe[0], results, 10]],
      ]);
      pipe[0].close();
      pipe[1].close();
      await joinAll([processProducer, processConsumer]);
      const report = await results.get({ timeout: 5000 });
      assert.deepEqual(report, { received: products, said: '生产者跑路了' });
      results.close();
    });

    test('seed 002: each child closes the end it does not use; the consumer breaks on EOFError after all 10 dishes', async (t) => {
      const [pipe1, pipe2] = Pipe<string>();
      const results = new Queue<string[]>();
      const [p, xxx] = startChildren(t, method, [
        [producerClosingUnused, [pipe1, pipe2, 'alex', '泔水', 20]],
        [consumerClosingUnused, [pipe1, pipe2, 'egon', results]],
      ]);
      pipe1.close();
      pipe2.close();
      await joinAll([p, xxx]);
      assert.deepEqual(
        await results.get({ timeout: 5000 }),
        Array.from({ length: 10 }, (_, i) => `egon消费了alex泔水${i}`),
      );
      results.close();
    });

    test("seed 002: 20 × '吃了么' then None: the child stops at the sentinel having received all 20", async (t) => {
      const [conn1, conn2] = Pipe<string | null>();
      const results = new Queue<string[]>();
      const child = start(t, method, eatUntilNone, [conn1, results]);
      for (let i = 0; i < 20; i++) conn2.send('吃了么');
      conn2.send(null);
      await joinAll([child]);
      assert.deepEqual(await results.get({ timeout: 5000 }), Array(20).fill('吃了么'));
      assert.equal(conn2.pollSync(), false, 'the child sent nothing back');
      conn1.close();
      conn2.close();
      results.close();
    });

    test("seed 002: the child closes conn2, the parent closes conn1, sends 20 × '吃了么' and closes conn2: the child receives all 20, then EOFError", async (t) => {
      const [conn1, conn2] = Pipe<string>();
      const results = new Queue<string[]>();
      const child = start(t, method, eatUntilEof, [conn1, conn2, results]);
      conn1.close();
      for (let i = 0; i < 20; i++) conn2.send('吃了么');
      conn2.close();
      await joinAll([child]);
      assert.deepEqual(await results.get({ timeout: 5000 }), Array(20).fill('吃了么'));
      results.close();
    });
  });
}
