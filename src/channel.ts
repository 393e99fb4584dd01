/**
 * A message channel in shared memory: the one transport under Queue, SimpleQueue,
 * JoinableQueue and each direction of a Pipe, between any processes and threads that hold it.
 *
 * A header and a ring of records live in one arena (heap.ts). A put writes a record at the
 * tail under the writers' lock, a get reads one at the head under the readers' lock: any
 * number of producers and consumers share a ring that is single-producer, single-consumer at
 * any instant. Both locks are robust (mutex.ts): a consumer killed in the middle of a get
 * leaves its record in place and the lock to the next consumer.
 *
 * Puts never wait for room. A record that does not fit in the ring (the ring is full, or the
 * message is large) goes to a *chunk*: a named shared memory segment, which outlives the
 * producer (it may exit at once) where a memfd would not. A LINK record tells readers where
 * to go on; a RETURN record at a chunk's end sends them back to the ring. The stream stays
 * one FIFO (ring → chunk → chunk → ring …). Readers unlink each chunk as they leave it; the
 * resource tracker unlinks chunks nobody read once the whole program has exited.
 */
import { randomBytes } from 'node:crypto';
import { futexBinding, remaining, runSync, wake, wakeAll, type Steps } from './futex.js';
import { ValueError } from './errors.js';
import { claim, kBlock, registerBlockReducer, type Block } from './heap.js';
import { decode, decodeAsync, payloadBytes, writePayload, type Outgoing } from './message.js';
import { register, unregister } from './resource-tracker/client.js';
import { LIVENESS_CHECK_MS, RECOVERED, TIMED_OUT, lockSteps, tryLock, unlock } from './synchronize/mutex.js';

// Header words. Each side's hot words share a cache line, apart from the other side's.
const W_LOCK = 0;
const W_POS = 1; // bytes ever written to the ring, mod 2^32
const DATA_SEQ = 2; // advanced by every put; readers sleep on it
const SIZE = 3; // messages put and not yet taken
const READ_SLEEPERS = 4;
const W_IN_CHUNK = 5;
const W_NAME = 6; // length of the tail chunk's name; the name itself at W_NAME_AT
const W_PUTTING = 7; // a put is under way (2: a joinable one); what a writer killed mid-put left counted
const SLEEP_SEQ = 8; // the DATA_SEQ value the last reader to sleep sleeps on (see #notifyReaders)
const R_LOCK = 16;
const R_POS = 17;
const R_IN_CHUNK = 18;
const R_NAME = 19;
const SPACE_SEQ = 20; // advanced by every get; puts waiting for room sleep on it
const PUT_SLEEPERS = 21;
const MAXSIZE = 32;
const CAPACITY = 33;
const UNFINISHED = 34; // JoinableQueue: put and not yet marked done
const JOIN_SEQ = 35;
const JOIN_SLEEPERS = 36;
const POOL = 40; // POOL_SLOTS states (EMPTY/BUSY/READY), then their chunks' data bytes
const POOL_SLOTS = 4;
const W_NAME_AT = 192;
const R_NAME_AT = 256;
const POOL_NAME_AT = 320; // 24 bytes per slot
const HEADER = 512;
const EMPTY = 0;
const BUSY = 1;
const READY = 2;

// Records: [u32 payload bytes][u32 kind] then the payload, padded to 8 bytes.
const RECORD_HEADER = 8;
const WRAP = 0x100; // the rest of the ring is unused: go on at its start
const LINK = 0x101; // go on in the chunk named by the payload
const RETURN = 0x102; // go on in the ring
/** Room a LINK or RETURN record needs (a name is at most 24 bytes); kept free behind every record. */
const LINK_RECORD = 32;
const RESERVE = 2 * LINK_RECORD; // a LINK may need to wrap: it fits in two of its size

// Chunks: [u32 committed write offset][u32 read offset][u32 data bytes] … data at CHUNK_HEADER.
const C_WRITE = 0;
const C_READ = 1;
const C_CAPACITY = 2;
const CHUNK_HEADER = 64;
const CHUNK_BYTES = 1 << 20;
/**
 * Chunks up to this size are kept for reuse rather than unlinked: a fresh segment costs its
 * creation and a page fault per 4 KiB on both sides, about 1 ms per MiB here.
 */
const POOLED_CHUNK_MAX = 16 << 20;
const MAPPED_CHUNKS = 2 * POOL_SLOTS;

export const DEFAULT_BUFFER_SIZE = 4 << 20;
/**
 * Flow control for large messages: fresh shared memory costs a page fault per 4 KiB (about
 * 1 ms per MiB here), five times the copy itself. So a put of a large message that finds the
 * ring full waits for room there as long as consumers make progress (a get at least every
 * FLOW_STALL_MS, for FLOW_WAIT_MS at most); only then does it overflow to a chunk. A put
 * never waits for a consumer that is not there.
 */
const FLOW_FROM = 64 << 10;
const FLOW_STALL_MS = 5;
const FLOW_WAIT_MS = 100;
/** Retries of a busy writers' lock before a put goes to sleep on it. */
const PUT_SPINS = 100;
/** Spinning this long before sleeping saves both sides a syscall when the reply is prompt. */
const SPINS = 2000;

const align8 = (n: number): number => (n + 7) & ~7;

interface Chunk {
  readonly name: string;
  readonly bytes: Buffer;
  readonly view: DataView;
  readonly words: Int32Array;
}

function openChunk(name: string, create: number): Chunk {
  const buffer = futexBinding('Queue').shmOpen(`/${name}`, create > 0, create);
  return {
    name,
    bytes: Buffer.from(buffer, CHUNK_HEADER),
    view: new DataView(buffer, CHUNK_HEADER),
    words: new Int32Array(buffer, 0, CHUNK_HEADER / 4),
  };
}

export interface ChannelOptions {
  /** Bounded: puts wait while this many messages are in the channel (0: unbounded). */
  readonly maxsize?: number;
  /** Bytes of the ring (a power of two); larger messages, or overflow, go to chunks. */
  readonly bufferSize?: number;
}

/** Validates a bufferSize option. */
export function checkBufferSize(size: number | undefined, what: string): number | undefined {
  if (size === undefined) return undefined;
  if (!Number.isInteger(size) || size < 4096 || size > 1 << 30 || (size & (size - 1)) !== 0) {
    throw new ValueError(`${what}: bufferSize must be a power of two between 4096 and 2^30 bytes, got ${String(size)}`);
  }
  return size;
}

export class Channel {
  readonly [kBlock]: Block;
  readonly #words: Int32Array;
  readonly #header: Buffer;
  readonly #ring: Buffer;
  readonly #ringView: DataView;
  readonly #capacity: number;
  readonly #mask: number;
  readonly #maxsize: number;
  #lastHeal = -Infinity;
  /** Chunks mapped here, by name. */
  readonly #chunks = new Map<string, Chunk>();

  // The record a successful next() found: where it is and how to release it.
  #source: Buffer;
  #view: DataView;
  #at = 0;
  #size = 0;
  #kind = 0;
  #after = 0;
  #inChunk: Chunk | null = null;

  /** A new channel, or (inside heap.attachTo) the one in an existing block. */
  constructor(options: ChannelOptions = {}, what = 'Queue') {
    futexBinding(what);
    const requested = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
    const { block, fresh } = claim(HEADER + requested, 4096, what);
    this[kBlock] = block;
    const buffer = block.arena.buffer;
    this.#words = new Int32Array(buffer, block.offset, HEADER / 4);
    if (fresh) {
      this.#words[CAPACITY] = requested;
      this.#words[MAXSIZE] = options.maxsize ?? 0;
    }
    this.#capacity = this.#words[CAPACITY];
    this.#mask = this.#capacity - 1;
    this.#maxsize = this.#words[MAXSIZE];
    this.#header = Buffer.from(buffer, block.offset, HEADER);
    this.#ring = Buffer.from(buffer, block.offset + HEADER, this.#capacity);
    this.#ringView = new DataView(buffer, block.offset + HEADER, this.#capacity);
    this.#source = this.#ring;
    this.#view = this.#ringView;
  }

  get maxsize(): number {
    return this.#maxsize;
  }

  /** Messages put and not yet taken (approximate while others put and get). */
  get size(): number {
    this.#healDeadWriter();
    return Math.max(0, Atomics.load(this.#words, SIZE));
  }

  get full(): boolean {
    return this.#maxsize > 0 && this.size >= this.#maxsize;
  }

  // ---- writing ----

  /**
   * Puts without sleeping: whether it did. A busy writers' lock is retried a while (it is only
   * ever held for a copy); false if it stays busy, or there is no room (bounded, or a large
   * message the ring cannot take yet: see putSteps).
   */
  tryPut(message: Outgoing, joinable: boolean): boolean {
    const words = this.#words;
    for (let spin = 0; !tryLock(words, W_LOCK); spin++) if (spin === PUT_SPINS) return false;
    try {
      if (this.#maxsize > 0 && Atomics.load(words, SIZE) >= this.#maxsize) return false;
      if (this.#shouldWaitForRoom(message)) return false;
      this.#append(message, joinable);
    } finally {
      unlock(words, W_LOCK);
    }
    this.#notifyReaders();
    return true;
  }

  /**
   * Puts the first `count` messages in order with the writers' lock taken once and readers
   * woken once (the pool filling a worker's channel). For unbounded channels: never waits for
   * a consumer, but for a large message that would overflow a full ring (see putSteps).
   */
  putAll(messages: readonly Outgoing[], count: number): void {
    const words = this.#words;
    let i = 0;
    if (tryLock(words, W_LOCK)) {
      try {
        while (i < count && !this.#shouldWaitForRoom(messages[i])) this.#append(messages[i++], false);
      } finally {
        unlock(words, W_LOCK);
      }
      this.#notifyReaders();
    }
    for (; i < count; i++) if (!this.tryPut(messages[i], false)) runSync(this.putSteps(messages[i], false, Infinity));
  }

  /**
   * Puts, waiting for room (bounded channels) until the deadline: false if it passed. Room is
   * awaited without the writers' lock, so a full channel never holds up putNowait elsewhere;
   * the lock itself is only ever held for a copy.
   */
  *putSteps(message: Outgoing, joinable: boolean, deadline: number): Steps<boolean> {
    const words = this.#words;
    for (;;) {
      while (this.#maxsize > 0) {
        const seq = Atomics.load(words, SPACE_SEQ);
        if (Atomics.load(words, SIZE) < this.#maxsize) break;
        this.#healDeadWriter();
        if (Atomics.load(words, SIZE) < this.#maxsize) break;
        const left = remaining(deadline);
        if (left === 0) return false;
        Atomics.add(words, PUT_SLEEPERS, 1);
        try {
          // Sliced: a consumer killed between taking and signalling must not strand us.
          yield { words, index: SPACE_SEQ, expected: seq, timeout: Math.min(left, LIVENESS_CHECK_MS) };
        } finally {
          Atomics.sub(words, PUT_SLEEPERS, 1);
        }
      }
      if ((yield* lockSteps(words, W_LOCK, Infinity)) === RECOVERED) this.#uncountDeadPut();
      try {
        if (this.#maxsize > 0 && Atomics.load(words, SIZE) >= this.#maxsize) continue; // another put took the room
        const flowDeadline = performance.now() + FLOW_WAIT_MS;
        while (this.#shouldWaitForRoom(message)) {
          const seq = Atomics.load(words, SPACE_SEQ);
          if (!this.#shouldWaitForRoom(message)) break;
          const left = Math.min(remaining(flowDeadline), remaining(deadline), FLOW_STALL_MS);
          if (left === 0) break;
          Atomics.add(words, PUT_SLEEPERS, 1);
          let outcome;
          try {
            outcome = yield { words, index: SPACE_SEQ, expected: seq, timeout: left };
          } finally {
            Atomics.sub(words, PUT_SLEEPERS, 1);
          }
          if (outcome === 'timed-out' && Atomics.load(words, SPACE_SEQ) === seq) break; // no consumer at work
        }
        this.#append(message, joinable);
      } finally {
        unlock(words, W_LOCK);
      }
      this.#notifyReaders();
      return true;
    }
  }

  /** A large message that would overflow a full ring: worth waiting for room if consumers are at work. */
  #shouldWaitForRoom(message: Outgoing): boolean {
    const record = RECORD_HEADER + align8(message.size);
    return (
      record >= FLOW_FROM &&
      record <= this.#capacity / 2 &&
      Atomics.load(this.#words, W_IN_CHUNK) === 0 &&
      this.#ringSpot(record, RESERVE) < 0
    );
  }

  /**
   * One wake syscall per sleep, not one per put. A reader in the kernel sleeps on the DATA_SEQ
   * value it read (SLEEP_SEQ), so only the put that moved DATA_SEQ past that value must wake
   * it: later puts find it already woken or about to be. The loads come in this order, and the
   * sleeper counts itself before publishing SLEEP_SEQ, so a put that sees another sleeper's
   * SLEEP_SEQ also sees that there are two, and then wakes regardless.
   * (A boolean "wake sent" flag lost wake-ups: a put delayed between its increment and its
   * wake could spend the flag on a reader that had already seen its data.)
   */
  #notifyReaders(): void {
    const words = this.#words;
    const seq = Atomics.add(words, DATA_SEQ, 1);
    const sleepSeq = Atomics.load(words, SLEEP_SEQ);
    const sleepers = Atomics.load(words, READ_SLEEPERS);
    if (sleepers > 1 || (sleepers === 1 && sleepSeq === seq)) wake(words, DATA_SEQ, wakeAll);
  }

  /** Sleeps while DATA_SEQ is `seq` (a reader or poller with nothing to take). */
  *#sleepSteps(seq: number, timeout: number): Steps<void> {
    const words = this.#words;
    Atomics.add(words, READ_SLEEPERS, 1);
    Atomics.store(words, SLEEP_SEQ, seq);
    try {
      yield { words, index: DATA_SEQ, expected: seq, timeout };
    } finally {
      Atomics.sub(words, READ_SLEEPERS, 1);
    }
  }

  /** Wakes every reader and poller, e.g. to let them see that the other end has closed. */
  wakeReaders(): void {
    this.#notifyReaders();
  }

  /** If a writer died holding the writers' lock, takes it over, uncounts its put and frees it. */
  #healDeadWriter(): void {
    const words = this.#words;
    if (Atomics.load(words, W_LOCK) === 0) return;
    // A live writer holds it most of the time it is held: look (a /proc read) only now and then.
    const now = performance.now();
    if (now - this.#lastHeal < LIVENESS_CHECK_MS) return;
    this.#lastHeal = now;
    const steps = lockSteps(words, W_LOCK, 0); // never sleeps with a deadline already past
    let next = steps.next();
    while (next.done !== true) next = steps.next('timed-out');
    if (next.value === TIMED_OUT) return;
    if (next.value === RECOVERED) this.#uncountDeadPut();
    unlock(words, W_LOCK);
  }

  /** The writer whose lock we took over died in a put: its message never became visible. */
  #uncountDeadPut(): void {
    const words = this.#words;
    const putting = words[W_PUTTING];
    if (putting === 0) return;
    Atomics.sub(words, SIZE, 1);
    if (putting === 2) Atomics.sub(words, UNFINISHED, 1);
    words[W_PUTTING] = 0;
  }

  /** Writes one record; the caller holds the writers' lock. */
  #append(message: Outgoing, joinable: boolean): void {
    const words = this.#words;
    words[W_PUTTING] = joinable ? 2 : 1;
    this.#appendRecord(message, joinable);
    words[W_PUTTING] = 0;
  }

  #appendRecord(message: Outgoing, joinable: boolean): void {
    const words = this.#words;
    const record = RECORD_HEADER + align8(message.size);
    // Counted before it is visible, so a reader never takes the count below zero (nor a
    // JoinableQueue's unfinished count: taskDone() may follow the get at once).
    Atomics.add(words, SIZE, 1);
    if (joinable) Atomics.add(words, UNFINISHED, 1);
    if (record <= this.#capacity / 2) {
      if (Atomics.load(words, W_IN_CHUNK) === 0) {
        if (this.#ringWrite(record, message)) return;
        this.#writeRecord(this.#linkFromRing(record), message);
        return;
      }
      const tail = this.#tailChunk();
      if (this.#ringSpot(record, RESERVE) >= 0) {
        // The ring has room again: back to it, after everything already in chunks.
        this.#chunkControl(tail, RETURN, '');
        Atomics.store(words, W_IN_CHUNK, 0);
        this.#ringWrite(record, message);
        return;
      }
      if (Atomics.load(tail.words, C_WRITE) + record + RESERVE <= tail.words[C_CAPACITY]) {
        this.#writeRecord(tail, message);
        return;
      }
    }
    const chunk = this.#newChunk(record);
    if (Atomics.load(words, W_IN_CHUNK) === 0) this.#ringControl(LINK, chunk.name);
    else this.#chunkControl(this.#tailChunk(), LINK, chunk.name);
    this.#setTail(chunk);
    this.#writeRecord(chunk, message);
    if (chunk.words[C_CAPACITY] > POOLED_CHUNK_MAX) {
      // A large message's own chunk: back to the ring at once if it has room for a LINK, so the
      // reader can leave (and unlink) the chunk as soon as it has the message; unmapped here.
      if (this.#ringSpot(RESERVE, 0) >= 0) {
        this.#chunkControl(chunk, RETURN, '');
        Atomics.store(words, W_IN_CHUNK, 0);
      }
      this.#chunks.delete(chunk.name);
    }
  }

  /** Where in the ring a record fits with `reserve` bytes left over (-1: nowhere); may WRAP. */
  #ringSpot(record: number, reserve: number): number {
    const pos = this.#words[W_POS];
    const free = this.#capacity - ((pos - Atomics.load(this.#words, R_POS)) >>> 0);
    const offset = pos & this.#mask;
    const toEnd = this.#capacity - offset;
    if (record <= toEnd) return record + reserve <= free ? offset : -1;
    return toEnd + record + reserve <= free ? 0 : -1;
  }

  #ringWrite(record: number, message: Outgoing): boolean {
    const at = this.#ringSpot(record, RESERVE);
    if (at < 0) return false;
    const pos = this.#skipToStart(at);
    const size = writePayload(this.#ring, this.#ringView, at + RECORD_HEADER, message);
    this.#ringView.setUint32(at, size, true);
    this.#ringView.setUint32(at + 4, message.kind, true);
    Atomics.store(this.#words, W_POS, (pos + RECORD_HEADER + align8(size)) | 0);
    return true;
  }

  /** A spot at the ring's start means the end is skipped: marks it WRAP. Returns the write position. */
  #skipToStart(at: number): number {
    let pos = this.#words[W_POS];
    const offset = pos & this.#mask;
    if (at === 0 && offset !== 0) {
      this.#ringView.setUint32(offset + 4, WRAP, true);
      pos = (pos + this.#capacity - offset) | 0;
    }
    return pos;
  }

  #ringControl(kind: number, name: string): void {
    const record = RECORD_HEADER + align8(name.length);
    const at = this.#ringSpot(record, 0); // always fits: RESERVE was kept free for it
    const pos = this.#skipToStart(at);
    this.#ring.write(name, at + RECORD_HEADER, 'latin1');
    this.#ringView.setUint32(at, name.length, true);
    this.#ringView.setUint32(at + 4, kind, true);
    Atomics.store(this.#words, W_POS, (pos + record) | 0);
  }

  #writeRecord(chunk: Chunk, message: Outgoing): void {
    const at = Atomics.load(chunk.words, C_WRITE);
    const size = writePayload(chunk.bytes, chunk.view, at + RECORD_HEADER, message);
    chunk.view.setUint32(at, size, true);
    chunk.view.setUint32(at + 4, message.kind, true);
    Atomics.store(chunk.words, C_WRITE, at + RECORD_HEADER + align8(size));
  }

  #chunkControl(chunk: Chunk, kind: number, name: string): void {
    const at = Atomics.load(chunk.words, C_WRITE);
    chunk.bytes.write(name, at + RECORD_HEADER, 'latin1');
    chunk.view.setUint32(at, name.length, true);
    chunk.view.setUint32(at + 4, kind, true);
    Atomics.store(chunk.words, C_WRITE, at + RECORD_HEADER + align8(name.length));
  }

  #linkFromRing(record: number): Chunk {
    const chunk = this.#newChunk(record);
    this.#ringControl(LINK, chunk.name);
    this.#setTail(chunk);
    return chunk;
  }

  /** An empty chunk with room for the record: a pooled one if one is big enough, else a new one. */
  #newChunk(record: number): Chunk {
    const need = record + RESERVE;
    const words = this.#words;
    for (let slot = 0; slot < POOL_SLOTS; slot++) {
      if (Atomics.load(words, POOL + POOL_SLOTS + slot) < need) continue;
      if (Atomics.compareExchange(words, POOL + slot, READY, BUSY) !== READY) continue;
      const at = POOL_NAME_AT + slot * 24;
      const chunk = this.#chunk(this.#header.toString('latin1', at, at + 23));
      Atomics.store(words, POOL + slot, EMPTY);
      chunk.words[C_READ] = 0;
      Atomics.store(chunk.words, C_WRITE, 0);
      return chunk;
    }
    // Powers of two, so that chunks fit the next messages of a similar size.
    const data = need <= CHUNK_BYTES ? CHUNK_BYTES : need <= POOLED_CHUNK_MAX ? 2 ** Math.ceil(Math.log2(need)) : need;
    const name = `mpts-q-${randomBytes(8).toString('hex')}`;
    const chunk = openChunk(name, CHUNK_HEADER + data);
    register('queue_chunk', name);
    chunk.words[C_CAPACITY] = data;
    this.#keep(chunk);
    return chunk;
  }

  /**
   * The chunk of that name, mapped here. The most recently used few stay mapped (a pooled
   * chunk comes back); older mappings are dropped, so that memory of chunks others have since
   * unlinked is freed.
   */
  #chunk(name: string): Chunk {
    let chunk = this.#chunks.get(name);
    if (chunk === undefined) chunk = openChunk(name, 0);
    else this.#chunks.delete(name);
    this.#keep(chunk);
    return chunk;
  }

  #keep(chunk: Chunk): void {
    this.#chunks.set(chunk.name, chunk);
    if (this.#chunks.size > MAPPED_CHUNKS) this.#chunks.delete(this.#chunks.keys().next().value!);
  }

  #setTail(chunk: Chunk): void {
    this.#header.write(chunk.name, W_NAME_AT, 'latin1');
    this.#words[W_NAME] = chunk.name.length;
    Atomics.store(this.#words, W_IN_CHUNK, 1);
  }

  /** The chunk writers append to, mapped here (another process may have started it). */
  #tailChunk(): Chunk {
    return this.#chunk(this.#header.toString('latin1', W_NAME_AT, W_NAME_AT + this.#words[W_NAME]));
  }

  // ---- reading ----

  /**
   * Takes the readers' lock if it is free and finds a record: true, holding the lock with the
   * record found (take it, or release); false otherwise, holding nothing.
   */
  tryReceive(): boolean {
    if (!tryLock(this.#words, R_LOCK)) return false;
    if (this.next()) return true;
    unlock(this.#words, R_LOCK);
    return false;
  }

  unlockReaders(): void {
    unlock(this.#words, R_LOCK);
  }

  /**
   * Holds the readers' lock with a record found (true), or nothing by the deadline (false,
   * lock released). `idle` runs whenever nothing is there, at least every LIVENESS_CHECK_MS,
   * and may throw (the lock is released): how a Connection learns that its peer is gone.
   */
  *receiveSteps(deadline: number, idle?: () => void): Steps<boolean> {
    const words = this.#words;
    if ((yield* lockSteps(words, R_LOCK, deadline)) === TIMED_OUT) return false;
    try {
      for (;;) {
        const seq = Atomics.load(words, DATA_SEQ);
        if (this.next()) return true;
        idle?.();
        if (spinWhile(words, DATA_SEQ, seq)) continue;
        const left = remaining(deadline);
        if (left === 0) {
          unlock(words, R_LOCK);
          return false;
        }
        yield* this.#sleepSteps(seq, idle === undefined ? left : Math.min(left, LIVENESS_CHECK_MS));
      }
    } catch (error) {
      unlock(words, R_LOCK);
      throw error;
    }
  }

  /** Waits until a message is there, without taking it (Connection.poll). */
  *pollSteps(deadline: number, idle?: () => void): Steps<boolean> {
    const words = this.#words;
    for (;;) {
      const seq = Atomics.load(words, DATA_SEQ);
      if (Atomics.load(words, SIZE) > 0) return true;
      idle?.();
      if (spinWhile(words, DATA_SEQ, seq)) continue;
      const left = remaining(deadline);
      if (left === 0) return false;
      yield* this.#sleepSteps(seq, idle === undefined ? left : Math.min(left, LIVENESS_CHECK_MS));
    }
  }

  /** How many puts have completed (mod 2^32): read before looking, then putAfterSteps waits for the next. */
  get putCount(): number {
    return Atomics.load(this.#words, DATA_SEQ);
  }

  /**
   * Waits until a put completes after `seen` (putCount) was read: true, or false by the
   * deadline. Unlike pollSteps it holds no lock and trusts no count: a writer killed in the
   * middle of a put leaves the count one too high, never a put that did not happen.
   */
  *putAfterSteps(seen: number, deadline: number): Steps<boolean> {
    const words = this.#words;
    while (Atomics.load(words, DATA_SEQ) === seen && !spinWhile(words, DATA_SEQ, seen)) {
      const left = remaining(deadline);
      if (left === 0) return false;
      yield* this.#sleepSteps(seen, left);
    }
    return true;
  }

  /**
   * Finds the next record (the caller holds the readers' lock): true, with source/view/at/
   * size/kind set, or false if the channel is empty. Follows LINK, RETURN and WRAP records.
   */
  next(): boolean {
    const words = this.#words;
    for (;;) {
      if (Atomics.load(words, R_IN_CHUNK) === 0) {
        const pos = words[R_POS];
        if (pos === Atomics.load(words, W_POS)) return false;
        const offset = pos & this.#mask;
        const view = this.#ringView;
        const size = view.getUint32(offset, true);
        const kind = view.getUint32(offset + 4, true);
        if (kind === WRAP) {
          Atomics.store(words, R_POS, (pos + this.#capacity - offset) | 0);
          continue;
        }
        const after = (pos + RECORD_HEADER + align8(size)) | 0;
        if (kind === LINK) {
          this.#enter(this.#ring.toString('latin1', offset + RECORD_HEADER, offset + RECORD_HEADER + size));
          Atomics.store(words, R_POS, after);
          continue;
        }
        this.#found(this.#ring, view, offset, size, kind, after, null);
        return true;
      }
      const chunk = this.#headChunk();
      const read = chunk.words[C_READ];
      if (read === Atomics.load(chunk.words, C_WRITE)) return false;
      const size = chunk.view.getUint32(read, true);
      const kind = chunk.view.getUint32(read + 4, true);
      if (kind === LINK || kind === RETURN) {
        const name = chunk.bytes.toString('latin1', read + RECORD_HEADER, read + RECORD_HEADER + size);
        this.#leave(chunk);
        if (kind === LINK) this.#enter(name);
        else Atomics.store(words, R_IN_CHUNK, 0);
        continue;
      }
      this.#found(chunk.bytes, chunk.view, read, size, kind, read + RECORD_HEADER + align8(size), chunk);
      return true;
    }
  }

  #found(source: Buffer, view: DataView, at: number, size: number, kind: number, after: number, chunk: Chunk | null): void {
    this.#source = source;
    this.#view = view;
    this.#at = at + RECORD_HEADER;
    this.#size = size;
    this.#kind = kind;
    this.#after = after;
    this.#inChunk = chunk;
  }

  /** Payload bytes of the record next() found. */
  get recordSize(): number {
    return this.#size;
  }

  /** The value of the record next() found; consumes it and lets go of the readers' lock. */
  takeValue(): unknown {
    try {
      return decode(this.#source, this.#view, this.#at, this.#size, this.#kind);
    } finally {
      this.release();
    }
  }

  /** Like takeValue, but may return a promise (a value whose reducers must be imported first). */
  takeValueAsync(): unknown {
    try {
      return decodeAsync(this.#source, this.#view, this.#at, this.#size, this.#kind);
    } finally {
      this.release();
    }
  }

  /**
   * Like takeValueAsync, but the readers' lock stays held: next() may find another record
   * (a reader taking a batch), and unlockReaders() ends it.
   */
  takeValueHeld(): unknown {
    try {
      return decodeAsync(this.#source, this.#view, this.#at, this.#size, this.#kind);
    } finally {
      this.#consume();
    }
  }

  /** The payload bytes of the record next() found; consumes it. */
  takeBytes(): Buffer {
    try {
      return payloadBytes(this.#source, this.#at, this.#size);
    } finally {
      this.release();
    }
  }

  /** Copies the record next() found into `target` at `offset` if it fits; consumes it either way. */
  takeInto(target: Uint8Array, offset: number): number {
    try {
      if (this.#size <= target.byteLength - offset) target.set(this.#source.subarray(this.#at, this.#at + this.#size), offset);
      return this.#size;
    } finally {
      this.release();
    }
  }

  /** Consumes the record next() found, and lets go of the readers' lock. */
  release(): void {
    this.#consume();
    unlock(this.#words, R_LOCK);
  }

  #consume(): void {
    const words = this.#words;
    if (this.#inChunk === null) Atomics.store(words, R_POS, this.#after);
    else {
      Atomics.store(this.#inChunk.words, C_READ, this.#after);
      this.#leaveIfDone(this.#inChunk);
    }
    this.#source = this.#ring; // a chunk's memory can go once nothing points at it
    this.#view = this.#ringView;
    this.#inChunk = null;
    Atomics.sub(words, SIZE, 1);
    Atomics.add(words, SPACE_SEQ, 1);
    if (Atomics.load(words, PUT_SLEEPERS) > 0) wake(words, SPACE_SEQ, wakeAll);
  }

  /** A chunk whose next record is its RETURN is left now, not at the next get: its memory goes. */
  #leaveIfDone(chunk: Chunk): void {
    const read = chunk.words[C_READ];
    if (read === Atomics.load(chunk.words, C_WRITE) || chunk.view.getUint32(read + 4, true) !== RETURN) return;
    this.#leave(chunk);
    Atomics.store(this.#words, R_IN_CHUNK, 0);
  }

  #enter(name: string): void {
    this.#header.write(name, R_NAME_AT, 'latin1');
    this.#words[R_NAME] = name.length;
    Atomics.store(this.#words, R_IN_CHUNK, 1);
  }

  /** Done with a chunk: into the pool for reuse, or unlinked. */
  #leave(chunk: Chunk): void {
    const words = this.#words;
    const data = chunk.words[C_CAPACITY];
    if (data <= POOLED_CHUNK_MAX) {
      for (let slot = 0; slot < POOL_SLOTS; slot++) {
        if (Atomics.compareExchange(words, POOL + slot, EMPTY, BUSY) !== EMPTY) continue;
        this.#header.write(chunk.name, POOL_NAME_AT + slot * 24, 'latin1');
        Atomics.store(words, POOL + POOL_SLOTS + slot, data);
        Atomics.store(words, POOL + slot, READY);
        return;
      }
    }
    try {
      futexBinding('Queue').shmUnlink(`/${chunk.name}`);
    } catch {
      // A reader killed after unlinking it, before moving on: already gone.
    }
    unregister('queue_chunk', chunk.name);
    this.#chunks.delete(chunk.name);
  }

  #headChunk(): Chunk {
    return this.#chunk(this.#header.toString('latin1', R_NAME_AT, R_NAME_AT + this.#words[R_NAME]));
  }

  // ---- JoinableQueue ----

  /** One put message is done with; false if none is outstanding. */
  taskDone(): boolean {
    const words = this.#words;
    for (;;) {
      const unfinished = Atomics.load(words, UNFINISHED);
      if (unfinished <= 0) return false;
      if (Atomics.compareExchange(words, UNFINISHED, unfinished, unfinished - 1) !== unfinished) continue;
      if (unfinished === 1) {
        Atomics.add(words, JOIN_SEQ, 1);
        if (Atomics.load(words, JOIN_SLEEPERS) > 0) wake(words, JOIN_SEQ, wakeAll);
      }
      return true;
    }
  }

  get unfinished(): number {
    return Atomics.load(this.#words, UNFINISHED);
  }

  /**
   * Waits until every message put has been marked done: false if the deadline passed. Checks
   * every LIVENESS_CHECK_MS for a producer killed mid-put, whose message would never be done.
   */
  *joinSteps(deadline: number): Steps<boolean> {
    const words = this.#words;
    for (;;) {
      const seq = Atomics.load(words, JOIN_SEQ);
      if (Atomics.load(words, UNFINISHED) === 0) return true;
      this.#healDeadWriter();
      if (Atomics.load(words, UNFINISHED) === 0) return true;
      const left = remaining(deadline);
      if (left === 0) return false;
      Atomics.add(words, JOIN_SLEEPERS, 1);
      try {
        yield { words, index: JOIN_SEQ, expected: seq, timeout: Math.min(left, LIVENESS_CHECK_MS) };
      } finally {
        Atomics.sub(words, JOIN_SLEEPERS, 1);
      }
    }
  }
}

/** Spins while words[index] === seen: whether it changed. */
function spinWhile(words: Int32Array, index: number, seen: number): boolean {
  for (let spin = 0; spin < SPINS; spin++) if (Atomics.load(words, index) !== seen) return true;
  return false;
}

// A channel crosses as its block; the pool hands its workers their task and result channels so.
registerBlockReducer(Channel, import.meta.url);
