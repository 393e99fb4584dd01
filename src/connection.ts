/**
 * Pipe and Connection (Python's multiprocessing.connection): two ends, each direction one
 * shared memory channel (channel.ts). A duplex pipe has two channels, a one-way pipe one.
 *
 * End of file needs to know when every holder of the other end has let go, in every process,
 * as the kernel knows for Python's socket pairs. Each end has a table of holder slots in
 * shared memory, one per open handle, holding the thread id of its owner: close() clears the
 * slot, so does process exit, and a waiting reader clears the slots of threads that no longer
 * exist (SIGKILL), checked every LIVENESS_CHECK_MS. A handle on its way to another process
 * (a Process argument, a message in a queue) holds a *pending* slot in the sender's name,
 * which the receiver takes over: the other end cannot see EOF in between.
 */
import { Channel, checkBufferSize } from './channel.js';
import {
  BrokenPipeError,
  BufferTooShort,
  EOFError,
  MessageTooLongError,
  SerializationError,
  TimeoutError,
  ValueError,
} from './errors.js';
import { deadlineAfter, futexBinding, runAsync, runSync } from './futex.js';
import { allocate, attachTo, blockFrom, blockState, kBlock, wordsOf, type Block, type BlockState } from './heap.js';
import { encode, encodeBytes } from './message.js';
import { registerReducer, type ReduceContext } from './reduction.js';
import { LIVENESS_CHECK_MS, TID_MASK, threadId } from './synchronize/mutex.js';
import { bytesToSend, checkTimeout, inspectCustom } from './util.js';

const SLOTS = 64;
/** A slot held for a handle in transit; the thread id is the sender's. */
const PENDING = 1 << 30;

export interface PipeOptions {
  /** Bytes of shared memory per direction (a power of two, default 4 MiB); larger messages overflow. */
  readonly bufferSize?: number;
}

export interface ReceiveOptions {
  /** Milliseconds to wait for a message, then TimeoutError; default: no limit. */
  readonly timeout?: number;
  /** Promise forms only: stop waiting, rejecting with the signal's reason. */
  readonly signal?: AbortSignal;
}

export type PollOptions = ReceiveOptions;

interface ConnectionState {
  readonly holders: BlockState;
  readonly receive: BlockState | null;
  readonly send: BlockState | null;
  readonly end: number;
  readonly slot: number;
  readonly slotValue: number;
}

/** Handles open in this thread: closed at exit, so the other ends see EOF at once. */
const open = new Set<WeakRef<Connection<unknown>>>();
let exitHook = false;
/** A handle dropped without close() lets go of its slot when collected, as Python's __del__ closes. */
const dropped = new FinalizationRegistry<{ slots: Int32Array; index: number; value: number; ref: WeakRef<Connection<unknown>> }>(
  ({ slots, index, value, ref }) => {
    open.delete(ref);
    Atomics.compareExchange(slots, index, value, 0);
  },
);

const kCreate = Symbol('create');
const kReduce = Symbol('reduce');
const kRebuild = Symbol('rebuild');

/** One end of a Pipe. Made by Pipe(); crosses to other processes as an argument or a message. */
export class Connection<T = unknown> implements Disposable {
  readonly #holders: Block;
  readonly #slots: Int32Array; // both ends' tables: end e's slot i at e * SLOTS + i
  readonly #end: number;
  readonly #in: Channel | null;
  readonly #out: Channel | null;
  #slot: number;
  #lastLivenessCheck = 0;
  readonly #ref: WeakRef<Connection<unknown>>;

  /** Internal: use Pipe(). */
  constructor(key: typeof kCreate, holders: Block, receive: Channel | null, send: Channel | null, end: number, slot: number) {
    if (key !== kCreate) throw new TypeError('Connection: create connections with Pipe()');
    this.#holders = holders;
    this.#slots = wordsOf(holders, 2 * SLOTS);
    this.#in = receive;
    this.#out = send;
    this.#end = end;
    this.#slot = slot;
    this.#ref = new WeakRef(this as Connection<unknown>);
    open.add(this.#ref);
    const index = end * SLOTS + slot;
    dropped.register(this, { slots: this.#slots, index, value: Atomics.load(this.#slots, index), ref: this.#ref }, this);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => {
        for (const ref of open) ref.deref()?.close();
      });
    }
  }

  get readable(): boolean {
    return this.#in !== null;
  }

  get writable(): boolean {
    return this.#out !== null;
  }

  get closed(): boolean {
    return this.#slot < 0;
  }

  /** Sends a value: structured-clone data or library objects (a Queue, a Lock, another Connection). Never waits. */
  send(value: T): void {
    const out = this.#writer('send()');
    this.#put(out, encode(value, 'Connection.send() value'));
  }

  /** Sends bytes (a view's bytes from `offset`, `size` of them); received as a Buffer. */
  sendBytes(buffer: ArrayBufferView | ArrayBuffer, offset = 0, size?: number): void {
    const out = this.#writer('sendBytes()');
    this.#put(out, encodeBytes(bytesToSend(buffer, offset, size, 'Connection.sendBytes()')));
  }

  #put(out: Channel, message: ReturnType<typeof encode>): void {
    if (!this.#endHeld(1 - this.#end, true)) {
      throw new BrokenPipeError('Connection.send(): the other end of the pipe is closed in every process that held it');
    }
    if (!out.tryPut(message, false)) runSync(out.putSteps(message, false, Infinity));
  }

  /** Receives the next value; EOFError once the other end is closed everywhere and nothing is left. */
  async recv(options?: ReceiveOptions): Promise<T> {
    const input = await this.#receive(options, 'recv()');
    return (await input.takeValueAsync()) as T;
  }

  recvSync(options?: Omit<ReceiveOptions, 'signal'>): T {
    return this.#receiveSync(options, 'recvSync()').takeValue() as T;
  }

  /**
   * Receives the next message's bytes (what sendBytes sent). A message longer than
   * `maxLength` raises MessageTooLongError and closes this handle, as in Python.
   */
  async recvBytes(maxLength?: number, options?: ReceiveOptions): Promise<Buffer> {
    checkMaxLength(maxLength);
    return this.#bytes(await this.#receive(options, 'recvBytes()'), maxLength);
  }

  recvBytesSync(maxLength?: number, options?: Omit<ReceiveOptions, 'signal'>): Buffer {
    checkMaxLength(maxLength);
    return this.#bytes(this.#receiveSync(options, 'recvBytesSync()'), maxLength);
  }

  #bytes(input: Channel, maxLength: number | undefined): Buffer {
    if (maxLength !== undefined && input.recordSize > maxLength) {
      const size = input.recordSize;
      input.unlockReaders(); // the message stays, for other holders of this end
      this.close();
      throw new MessageTooLongError(
        `Connection.recvBytes(): the message is ${size} bytes, longer than maxLength ${maxLength}; this connection is now closed`,
      );
    }
    return input.takeBytes();
  }

  /**
   * Receives the next message's bytes into `buffer` at `offset`; returns their count. If they
   * do not fit, the message is consumed and BufferTooShort carries it whole.
   */
  async recvBytesInto(buffer: ArrayBufferView, offset = 0, options?: ReceiveOptions): Promise<number> {
    const target = intoTarget(buffer, offset);
    return this.#into(await this.#receive(options, 'recvBytesInto()'), target, offset);
  }

  recvBytesIntoSync(buffer: ArrayBufferView, offset = 0, options?: Omit<ReceiveOptions, 'signal'>): number {
    const target = intoTarget(buffer, offset);
    return this.#into(this.#receiveSync(options, 'recvBytesIntoSync()'), target, offset);
  }

  #into(input: Channel, target: Uint8Array, offset: number): number {
    const room = target.byteLength - offset;
    if (input.recordSize > room) {
      const bytes = input.takeBytes();
      throw new BufferTooShort(`Connection.recvBytesInto(): the message is ${bytes.length} bytes, the buffer has room for ${room}`, bytes);
    }
    return input.takeInto(target, offset);
  }

  /**
   * Whether a message is waiting: at once by default (Python's poll()), or within `timeout` ms
   * (Infinity: wait for one). True also at EOF, where recv() would raise rather than wait.
   */
  async poll(timeout: number | PollOptions = 0): Promise<boolean> {
    const { timeout: ms, signal } = typeof timeout === 'number' ? { timeout } : timeout;
    const input = this.#reader('poll()');
    checkTimeout(ms, 'Connection.poll()');
    if (input.size > 0) return true;
    return runAsync(input.pollSteps(deadlineAfter(ms), this.#idle(true)), signal).catch(eofIsReady);
  }

  pollSync(timeout = 0): boolean {
    const input = this.#reader('pollSync()');
    checkTimeout(timeout, 'Connection.pollSync()');
    if (input.size > 0) return true;
    try {
      return runSync(input.pollSteps(deadlineAfter(timeout), this.#idle(true)));
    } catch (error) {
      return eofIsReady(error);
    }
  }

  /** Lets go of this handle. The other end sees EOF once every holder of this end has closed. */
  close(): void {
    const slot = this.#slot;
    if (slot < 0) return;
    this.#slot = -1;
    open.delete(this.#ref);
    dropped.unregister(this);
    Atomics.store(this.#slots, this.#end * SLOTS + slot, 0);
    this.#out?.wakeReaders(); // the other end's readers: EOF, maybe
    this.#in?.wakeReaders(); // our own, in this process: closed
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async #receive(options: ReceiveOptions | undefined, method: string): Promise<Channel> {
    const input = this.#reader(method);
    const { timeout, signal } = options ?? {};
    checkTimeout(timeout, `Connection.${method}`);
    signal?.throwIfAborted();
    if (input.tryReceive()) return input;
    if (!(await runAsync(input.receiveSteps(deadlineAfter(timeout), this.#idle(false)), signal))) throw timedOut(method, timeout);
    return input;
  }

  #receiveSync(options: Omit<ReceiveOptions, 'signal'> | undefined, method: string): Channel {
    const input = this.#reader(method);
    const timeout = checkTimeout(options?.timeout, `Connection.${method}`);
    if (input.tryReceive()) return input;
    if (!runSync(input.receiveSteps(deadlineAfter(timeout), this.#idle(false)))) throw timedOut(method, timeout);
    return input;
  }

  /** Runs while a reader finds nothing: raises if this handle closed, or at EOF. */
  #idle(polling: boolean): () => void {
    return () => {
      if (this.#slot < 0) throw closedError(polling ? 'poll()' : 'recv()');
      if (!this.#endHeld(1 - this.#end, true)) {
        throw new EOFError('Connection.recv(): the other end of the pipe was closed and every message has been received');
      }
    };
  }

  /**
   * Whether any handle of `end` is open. Cheap (closed slots are zero); with `checkLiveness`,
   * at most every LIVENESS_CHECK_MS, slots of threads that have died (SIGKILL) are cleared.
   */
  #endHeld(end: number, checkLiveness = false): boolean {
    const slots = this.#slots;
    const now = checkLiveness ? performance.now() : 0;
    const check = checkLiveness && now - this.#lastLivenessCheck >= LIVENESS_CHECK_MS;
    if (check) this.#lastLivenessCheck = now;
    let held = false;
    for (let i = end * SLOTS; i < (end + 1) * SLOTS; i++) {
      const value = Atomics.load(slots, i);
      if (value === 0) continue;
      if (check && !futexBinding('Pipe').threadAlive(value & TID_MASK)) {
        Atomics.compareExchange(slots, i, value, 0);
        continue;
      }
      held = true;
      if (!check) return true;
    }
    return held;
  }

  #reader(method: string): Channel {
    if (this.#slot < 0) throw closedError(method);
    if (this.#in === null) throw new ValueError(`Connection.${method}: this end of a one-way pipe only sends`, 'ERR_WRITE_ONLY');
    return this.#in;
  }

  #writer(method: string): Channel {
    if (this.#slot < 0) throw closedError(method);
    if (this.#out === null) throw new ValueError(`Connection.${method}: this end of a one-way pipe only receives`, 'ERR_READ_ONLY');
    return this.#out;
  }

  /** Internal: the state another process rebuilds this handle from, with a slot held for it. */
  [kReduce](context: ReduceContext): ConnectionState {
    if (this.#slot < 0) throw new SerializationError('A closed Connection cannot be sent to another process');
    const slotValue = threadId() | PENDING;
    const slot = takeSlot(this.#slots, this.#end, slotValue);
    const slots = this.#slots;
    const index = this.#end * SLOTS + slot;
    // A child that dies before taking the slot over must not hold the end open for ever.
    context.unclaimed.push(() => void Atomics.compareExchange(slots, index, slotValue, 0));
    return {
      holders: blockState(this.#holders),
      receive: this.#in === null ? null : blockState(this.#in[kBlock]),
      send: this.#out === null ? null : blockState(this.#out[kBlock]),
      end: this.#end,
      slot,
      slotValue,
    };
  }

  static [kRebuild](state: ConnectionState): Connection<unknown> {
    const holders = blockFrom(state.holders, 'Connection');
    const slots = wordsOf(holders, 2 * SLOTS);
    const index = state.end * SLOTS + state.slot;
    const me = threadId();
    const slot =
      Atomics.compareExchange(slots, index, state.slotValue, me) === state.slotValue ? state.slot : takeSlot(slots, state.end, me);
    const channel = (s: BlockState | null): Channel | null => (s === null ? null : attachTo(blockFrom(s, 'Connection'), () => new Channel()));
    return new Connection(kCreate, holders, channel(state.receive), channel(state.send), state.end, slot);
  }

  [inspectCustom](): string {
    const mode = this.#in !== null && this.#out !== null ? 'duplex' : this.#in !== null ? 'receive-only' : 'send-only';
    return `Connection(${mode}${this.#slot < 0 ? ', closed' : ''})`;
  }
}

/** A free slot of `end`'s table (or one of a dead thread), set to `value`. */
function takeSlot(slots: Int32Array, end: number, value: number): number {
  for (const reclaim of [false, true]) {
    for (let i = 0; i < SLOTS; i++) {
      const seen = Atomics.load(slots, end * SLOTS + i);
      if (seen !== 0 && !(reclaim && !futexBinding('Pipe').threadAlive(seen & TID_MASK))) continue;
      if (Atomics.compareExchange(slots, end * SLOTS + i, seen, value) === seen) return i;
    }
  }
  throw new ValueError(`Connection: more than ${SLOTS} handles of one pipe end are open at once; close some first`, 'ERR_TOO_MANY_HANDLES');
}

function closedError(method: string): ValueError {
  return new ValueError(`Connection.${method}: this connection is closed`, 'ERR_CLOSED');
}

function timedOut(method: string, timeout: number | undefined): TimeoutError {
  return new TimeoutError(`Connection.${method}: no message arrived within ${timeout} ms`);
}

function eofIsReady(error: unknown): boolean {
  if (error instanceof EOFError) return true;
  throw error;
}

function checkMaxLength(maxLength: number | undefined): void {
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 0)) {
    throw new ValueError(`Connection.recvBytes(): maxLength must be a non-negative integer, got ${String(maxLength)}`);
  }
}

function intoTarget(buffer: ArrayBufferView, offset: number): Uint8Array {
  if (!ArrayBuffer.isView(buffer)) throw new TypeError('Connection.recvBytesInto(): pass a Buffer, a typed array or a DataView');
  const target = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (!Number.isInteger(offset) || offset < 0 || offset > target.byteLength) {
    throw new ValueError(`Connection.recvBytesInto(): offset ${String(offset)} is outside the buffer (${target.byteLength} bytes)`);
  }
  return target;
}

/**
 * A pipe: two connected ends (Python's multiprocessing.Pipe). Duplex (default): both ends
 * send and receive. One-way (`duplex` false): the first end only receives, the second only
 * sends, as in Python.
 */
export function Pipe<T = unknown>(duplex = true, options: PipeOptions = {}): [Connection<T>, Connection<T>] {
  if (typeof duplex !== 'boolean') throw new TypeError('Pipe(): duplex must be true or false');
  futexBinding('Pipe');
  const holders = allocate(2 * SLOTS * 4, 64, 'Pipe');
  const slots = wordsOf(holders, 2 * SLOTS);
  const me = threadId();
  const bufferSize = checkBufferSize(options.bufferSize, 'Pipe');
  const aToB = new Channel({ bufferSize }, 'Pipe');
  const bToA = duplex ? new Channel({ bufferSize }, 'Pipe') : null;
  // end 0 receives what end 1 sends (aToB: 1 → 0); duplex adds 0 → 1 (bToA).
  const first = new Connection<T>(kCreate, holders, aToB, bToA, 0, takeSlot(slots, 0, me));
  const second = new Connection<T>(kCreate, holders, bToA, aToB, 1, takeSlot(slots, 1, me));
  return [first, second];
}

registerReducer<Connection<unknown>, ConnectionState>({
  type: 'multiprocessing-ts:Connection',
  module: import.meta.url,
  cls: Connection,
  reduce: (connection, context) => connection[kReduce](context),
  rebuild: (state) => Connection[kRebuild](state),
});
