/**
 * Seed 002 "pipe初使用": both ends of a Pipe in one process; what one end sends, the other
 * receives.
 *
 *   from multiprocessing import Pipe
 *
 *   left, right = Pipe()
 *   left.send('1234')
 *   print(right.recv())
 *   # 1234
 *
 * The pipe is duplex (the default), so right can answer on it. A message that is already
 * there can be taken with the Sync form, `recvSync()`, without waiting; `poll()` says whether
 * one is there. Once left is closed, right's recv() raises EOFError (nothing is left to read
 * and no one can send any more) and right's send() raises BrokenPipeError.
 *
 *   npx tsx examples/pipe/left-right.ts
 */
import { BrokenPipeError, EOFError, Pipe } from 'multiprocessing-ts';

const [left, right] = Pipe<string>();
left.send('1234');
console.log(right.recvSync()); // 1234

right.send('5678'); // and back
console.log(left.pollSync(), await left.recv(), left.pollSync()); // true 5678 false

left.close();
try {
  await right.recv();
} catch (error) {
  if (!(error instanceof EOFError)) throw error;
  console.log(`${error.name}: ${error.message}`);
}
try {
  right.send('9');
} catch (error) {
  if (!(error instanceof BrokenPipeError)) throw error;
  console.log(`${error.name}: ${error.message}`);
}
right.close();
