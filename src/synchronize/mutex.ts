/**
 * The robust mutex under Lock, RLock and Condition: one 32-bit word of shared memory.
 *
 *   0                      free
 *   tid | WAITERS?         held by the thread with kernel id `tid`; WAITERS: someone may sleep
 *
 * The uncontended path is one compare-and-swap. A contended acquirer spins briefly, then
 * sleeps on the word (futex). Beyond Python: a holder that dies does not leave the lock
 * locked forever. Sleepers wake every LIVENESS_CHECK_MS to check that the holder's thread
 * still exists; if not, one of them takes the lock over and learns that it did (RECOVERED).
 */
import { futexBinding, remaining, wake, type Steps } from '../futex.js';

export const WAITERS = 1 << 31;
export const TID_MASK = 0x3fffffff;
export const LIVENESS_CHECK_MS = 100;
const SPINS = 20; // brief: a spinner's reads slow the holder down (measured: 20 beats 0 and 200)

export const TIMED_OUT = 0;
export const ACQUIRED = 1;
export const RECOVERED = 2;
export type AcquireResult = typeof TIMED_OUT | typeof ACQUIRED | typeof RECOVERED;

let tid = 0;

/** This thread's kernel id: what a held lock word records. */
export function threadId(): number {
  if (tid === 0) tid = futexBinding('A lock').threadId();
  return tid;
}

export function tryLock(words: Int32Array, index: number): boolean {
  return Atomics.compareExchange(words, index, 0, threadId()) === 0;
}

export function ownerOf(words: Int32Array, index: number): number {
  return Atomics.load(words, index) & TID_MASK;
}

/** Takes the lock over from a dead holder, if it is dead and still the holder. */
function recover(words: Int32Array, index: number, me: number): boolean {
  const seen = Atomics.load(words, index);
  const owner = seen & TID_MASK;
  if (owner === 0 || owner === me || futexBinding('A lock').threadAlive(owner)) return false;
  return Atomics.compareExchange(words, index, seen, me | (seen & WAITERS)) === seen;
}

export function* lockSteps(words: Int32Array, index: number, deadline: number): Steps<AcquireResult> {
  const me = threadId();
  for (let spin = 0; spin < SPINS; spin++) {
    if (Atomics.load(words, index) === 0 && Atomics.compareExchange(words, index, 0, me) === 0) return ACQUIRED;
  }
  let slept = false;
  for (;;) {
    let seen = Atomics.load(words, index);
    if ((seen & TID_MASK) === 0) {
      // Free. Having slept, we cannot know whether others still sleep: keep them wakeable.
      const mine = me | (slept ? WAITERS : seen & WAITERS);
      if (Atomics.compareExchange(words, index, seen, mine) === seen) return ACQUIRED;
      continue;
    }
    if ((seen & WAITERS) === 0) {
      if (Atomics.compareExchange(words, index, seen, seen | WAITERS) !== seen) continue;
      seen |= WAITERS;
    }
    const left = remaining(deadline);
    if (left === 0) return recover(words, index, me) ? RECOVERED : TIMED_OUT;
    const outcome = yield { words, index, expected: seen, timeout: Math.min(left, LIVENESS_CHECK_MS) };
    slept = true;
    if (outcome === 'timed-out' && recover(words, index, me)) return RECOVERED;
  }
}

/** Frees the lock; false if it was not held. */
export function unlock(words: Int32Array, index: number): boolean {
  const previous = Atomics.exchange(words, index, 0);
  if ((previous & WAITERS) !== 0) wake(words, index, 1);
  return previous !== 0;
}
