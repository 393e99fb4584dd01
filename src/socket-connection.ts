/**
 * A Connection over a stream socket, TCP or Unix, as Listener and Client make them (Python's
 * multiprocessing.connection.Connection over a socket). Messages are length-prefixed frames,
 * 4 bytes big-endian, or 0xFFFFFFFF then 8 bytes from 2 GiB on, as CPython frames them. A
 * frame holds a value as reduction.dumps makes it (send/recv) or raw bytes (sendBytes/recvBytes).
 *
 * Reading is the socket's own: frames are collected as they arrive, and the socket is paused
 * while too many wait unread, so a slow reader holds the writer back (TCP's flow control).
 * The socket keeps the program alive only while a receive, a poll or a write is pending.
 */
import type { Socket } from 'node:net';
import { AuthenticationError, BrokenPipeError, BufferTooShort, EOFError, MessageTooLongError, SerializationError, TimeoutError, ValueError } from './errors.js';
import { createReduceContext, dumps, loadsAsync, registerReducer } from './reduction.js';
import './resource-sharer.js'; // a SocketConnection crosses as its net.Socket
import { bytesToSend, checkTimeout, inspectCustom } from './util.js';

export interface SocketReceiveOptions {
  /** Milliseconds to wait for a message, then TimeoutError; default: no limit. */
  readonly timeout?: number;
  /** Stop waiting, rejecting with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Internal: makes a SocketConnection (Listener, Client). */
export const kCreate = Symbol('multiprocessing-ts.socket-connection');
/**
 * Internal: the next frames must be small (authentication): [bytes, frames]. The limit lifts
 * by itself after that many frames, so a message right behind the handshake's last one (in
 * the same read) is not held to it.
 */
export const kLimit = Symbol('multiprocessing-ts.frame-limit');
/** Internal: sends one message made of several parts, without joining them first (managers). */
export const kSendParts = Symbol('multiprocessing-ts.send-parts');
/** Internal: frames go to a function as they arrive, instead of waiting for recv() (managers). */
export const kPush = Symbol('multiprocessing-ts.push-frames');
/** Internal: whether the socket keeps the program alive (a manager client while requests wait). */
export const kKeepAlive = Symbol('multiprocessing-ts.keep-alive');
const kMove = Symbol('move');
const kArrive = Symbol('arrive');

/** Unread frames beyond this many bytes pause the socket until the reader catches up. */
const PAUSE_AT = 16 << 20;
/** Messages up to this size go out as one buffer, header included: one write, no writev. */
const COPY_UP_TO = 64 << 10;
/** A 4-byte header carries lengths up to this (CPython's threshold); longer ones: 0xFFFFFFFF, then 8 bytes. */
const SHORT_MAX = 0x7fffffff;
const LONG_FRAME = 0xffffffff;
const EMPTY = Buffer.alloc(0);
const CHALLENGE = Buffer.from('#CHALLENGE#');

const context = createReduceContext('spawn');

export class SocketConnection<T = unknown> implements Disposable {
  readonly #socket: Socket;
  /** Bytes received that do not make a whole frame yet. */
  #chunks: Buffer[] = [];
  #have = 0;
  /** The body length of the frame being read; -1 while its header is awaited. */
  #need = -1;
  #frames: Buffer[] = [];
  #queued = 0;
  /** No more frames will come: the peer closed its side, or the socket failed (#failure). */
  #ended = false;
  #failure: Error | null = null;
  #closed = false;
  #waiters: (() => void)[] = [];
  /** Receives, polls and writes under way: the socket keeps the program alive while any is. */
  #busy = 0;
  #push: ((frame: Buffer) => void) | null = null;
  #pushEnd: ((error: Error | null) => void) | null = null;
  [kLimit]: [bytes: number, frames: number] = [Infinity, 0];

  constructor(key: typeof kCreate, socket: Socket) {
    if (key !== kCreate) throw new TypeError('SocketConnection: made by Listener.accept() and Client(), not directly');
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.unref();
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#end(null));
    socket.on('error', (error: Error) => this.#end(error));
    socket.on('close', () => this.#end(null));
    socket.resume(); // an accepted socket waits paused until it is ours (Listener: pauseOnConnect)
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Both directions, as every socket connection is. */
  get readable(): boolean {
    return !this.#closed;
  }

  get writable(): boolean {
    return !this.#closed;
  }

  /** The socket's file descriptor (-1 if it has none any more). */
  fileno(): number {
    const handle = (this.#socket as unknown as { _handle?: { fd?: number } })._handle;
    return typeof handle?.fd === 'number' ? handle.fd : -1;
  }

  /** The address of the other end: [host, port] for TCP, the path for a Unix socket. */
  get remoteAddress(): string | readonly [string, number] {
    const socket = this.#socket;
    return socket.remotePort === undefined ? (socket.remoteAddress ?? '') : [socket.remoteAddress ?? '', socket.remotePort];
  }

  /** Sends a value: structured-clone data or library objects (those work on this machine only). Never waits. */
  send(value: T): void {
    this.#write([dumps(value, context, 'SocketConnection.send() value')], 'send()');
  }

  [kSendParts](parts: readonly Uint8Array[]): void {
    this.#write(parts, 'send()');
  }

  /** Sends bytes (a view's bytes from `offset`, `size` of them); received as a Buffer. */
  sendBytes(buffer: ArrayBufferView | ArrayBuffer, offset = 0, size?: number): void {
    // A snapshot, as Python's send_bytes takes: a large message may still be queued when this returns.
    const part = bytesToSend(buffer, offset, size, 'SocketConnection.sendBytes()');
    this.#write([part.byteLength > COPY_UP_TO ? Buffer.from(part) : part], 'sendBytes()');
  }

  /** Receives the next value; EOFError once the other end has closed and nothing is left. */
  async recv(options?: SocketReceiveOptions): Promise<T> {
    const frame = await this.#next(options, 'recv()');
    if (frame.byteLength > CHALLENGE.byteLength && frame.subarray(0, CHALLENGE.byteLength).equals(CHALLENGE)) {
      throw new AuthenticationError('SocketConnection.recv(): the other side asks for authentication: connect with its authkey');
    }
    return (await loadsAsync(frame, context)) as T;
  }

  /** Resolves once everything sent so far is handed to the kernel (send() never waits; a fast writer may). */
  drain(): Promise<void> {
    const socket = this.#socket;
    if (socket.writableLength === 0 || socket.destroyed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#hold();
      socket.write(EMPTY, () => {
        this.#let();
        resolve();
      });
    });
  }

  /**
   * Receives the next message's bytes. A message longer than `maxLength` raises
   * MessageTooLongError and closes the connection, as in Python.
   */
  async recvBytes(maxLength?: number, options?: SocketReceiveOptions): Promise<Buffer> {
    if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 0)) {
      throw new ValueError(`SocketConnection.recvBytes(): maxLength must be a non-negative integer, got ${String(maxLength)}`);
    }
    const frame = await this.#next(options, 'recvBytes()');
    if (maxLength !== undefined && frame.byteLength > maxLength) {
      this.close();
      throw new MessageTooLongError(`SocketConnection.recvBytes(): a message of ${frame.byteLength} bytes is longer than maxLength ${maxLength}; the connection was closed`);
    }
    return frame;
  }

  /** Receives the next message's bytes into `buffer` at `offset`: its length. BufferTooShort if it does not fit. */
  async recvBytesInto(buffer: ArrayBufferView, offset = 0, options?: SocketReceiveOptions): Promise<number> {
    if (!ArrayBuffer.isView(buffer)) throw new TypeError('SocketConnection.recvBytesInto(): pass a Buffer, a typed array or a DataView');
    const target = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    if (!Number.isInteger(offset) || offset < 0 || offset > target.byteLength) {
      throw new ValueError(`SocketConnection.recvBytesInto(): offset ${String(offset)} is outside the buffer (${target.byteLength} bytes)`);
    }
    const frame = await this.#next(options, 'recvBytesInto()');
    if (frame.byteLength > target.byteLength - offset) {
      throw new BufferTooShort(`SocketConnection.recvBytesInto(): a message of ${frame.byteLength} bytes does not fit from offset ${offset}`, frame);
    }
    target.set(frame, offset);
    return frame.byteLength;
  }

  /** Whether a message (or the end) is there, waiting at most `timeout` ms (0: just look). */
  async poll(timeout: number | SocketReceiveOptions = 0): Promise<boolean> {
    const options = typeof timeout === 'number' ? { timeout } : timeout;
    const ms = checkTimeout(options.timeout, 'SocketConnection.poll()');
    if (this.#closed) throw this.#closedError('poll()');
    if (this.#frames.length > 0 || this.#ended) return true;
    if (ms === 0) return false;
    try {
      await this.#changed(ms, options.signal, 'poll()', true);
    } catch (error) {
      if (error instanceof TimeoutError) return false;
      throw error;
    }
    if (this.#closed) throw this.#closedError('poll()');
    return this.#frames.length > 0 || this.#ended;
  }

  /** Closes the connection: what was sent is still delivered, then the other end sees EOF. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#frames = [];
    this.#chunks = [];
    const socket = this.#socket;
    if (socket.destroyed) return;
    socket.end(() => socket.destroy());
    // A peer that never reads could keep our side open; it has a moment to take the rest.
    setTimeout(() => socket.destroy(), 10_000).unref();
    this.#wake();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  [inspectCustom](): string {
    const state = this.#closed ? 'closed' : this.#ended ? 'ended' : 'open';
    return `<SocketConnection ${state}>`;
  }

  /**
   * Internal (its reducer): the connection moves to another process, as its socket does
   * (resource-sharer.ts); what was received here and not read yet goes along.
   */
  [kMove](): { socket: Socket; unread: Buffer } {
    if (this.#closed) throw new SerializationError('A closed SocketConnection cannot be sent to another process');
    const parts: Buffer[] = [];
    for (const frame of this.#frames) parts.push(frameHeader(frame.byteLength), frame);
    if (this.#need >= 0) parts.push(frameHeader(this.#need)); // a frame whose header was read already
    parts.push(...this.#chunks);
    this.#closed = true; // moved: nothing more is read or written here
    this.#frames = [];
    this.#chunks = [];
    this.#wake();
    return { socket: this.#socket, unread: Buffer.concat(parts) };
  }

  /** Internal: the moved connection, in the receiving process. */
  static [kArrive](socket: Socket, unread: Uint8Array): SocketConnection<unknown> {
    const connection = new SocketConnection(kCreate, socket);
    if (unread.byteLength > 0) connection.#onData(Buffer.from(unread.buffer, unread.byteOffset, unread.byteLength));
    return connection;
  }

  // ---- internals --------------------------------------------------------------------------

  #write(parts: readonly Uint8Array[], method: string): void {
    if (this.#closed) throw this.#closedError(method);
    const socket = this.#socket;
    if (socket.destroyed || socket.writableEnded) {
      throw new BrokenPipeError(`SocketConnection.${method}: the connection is broken (${this.#failure?.message ?? 'the other end closed it'})`, {
        cause: this.#failure ?? undefined,
      });
    }
    let length = 0;
    for (const part of parts) length += part.byteLength;
    const headerBytes = length <= SHORT_MAX ? 4 : 12;
    if (length <= COPY_UP_TO) {
      const out = Buffer.allocUnsafe(headerBytes + length);
      out.writeUInt32BE(length, 0);
      let at = headerBytes;
      for (const part of parts) {
        out.set(part, at);
        at += part.byteLength;
      }
      socket.write(out);
      // Nearly always in the kernel at once; if not, the program stays alive until it is.
      if (socket.writableLength > 0) this.#holdUntilFlushed();
      return;
    }
    this.#hold();
    const done = (): void => this.#let();
    const header = frameHeader(length);
    socket.cork();
    socket.write(header);
    for (let i = 0; i < parts.length; i++) socket.write(parts[i], i === parts.length - 1 ? done : undefined);
    socket.uncork();
  }

  async #next(options: SocketReceiveOptions | undefined, method: string): Promise<Buffer> {
    const ms = checkTimeout(options?.timeout, `SocketConnection.${method}`);
    for (;;) {
      if (this.#closed) throw this.#closedError(method);
      const frame = this.#frames.shift();
      if (frame !== undefined) {
        this.#queued -= frame.byteLength;
        if (this.#queued < PAUSE_AT && this.#socket.isPaused()) this.#socket.resume();
        return frame;
      }
      if (this.#ended) {
        const why = this.#failure === null ? 'the other end closed the connection' : `the connection failed: ${this.#failure.message}`;
        throw new EOFError(`SocketConnection.${method}: ${why}`, this.#failure === null ? undefined : { cause: this.#failure });
      }
      await this.#changed(ms, options?.signal, method, false);
    }
  }

  /** Resolves at the next frame, end or close; TimeoutError after `ms`; the signal's reason if aborted. */
  #changed(ms: number | undefined, signal: AbortSignal | undefined, method: string, polling: boolean): Promise<void> {
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#let();
      };
      const waiter = (): void => {
        done();
        resolve();
      };
      const fail = (error: unknown): void => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        done();
        reject(error);
      };
      const onAbort = (): void => fail(signal!.reason);
      if (ms !== undefined) {
        timer = setTimeout(() => fail(new TimeoutError(`SocketConnection.${method}: ${polling ? 'nothing' : 'no message'} arrived within ${ms} ms`)), ms);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#hold();
      this.#waiters.push(waiter);
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter();
  }

  #holdUntilFlushed(): void {
    this.#hold();
    this.#socket.write(EMPTY, () => this.#let()); // called once everything before it is written
  }

  #hold(): void {
    if (this.#busy++ === 0) this.#socket.ref();
  }

  #let(): void {
    if (--this.#busy === 0) this.#socket.unref();
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    this.#chunks.push(chunk);
    this.#have += chunk.byteLength;
    let added = false;
    for (;;) {
      if (this.#need < 0) {
        if (this.#have < 4) break;
        const head = this.#peek(this.#have >= 12 ? 12 : 4);
        let length = head.readUInt32BE(0);
        let headerBytes = 4;
        if (length === LONG_FRAME) {
          if (head.byteLength < 12) break;
          length = Number(head.readBigUInt64BE(4));
          headerBytes = 12;
        }
        const limit = this[kLimit];
        if (limit[1] > 0) {
          if (length > limit[0]) {
            this.#end(new MessageTooLongError(`a message of ${length} bytes was announced where at most ${limit[0]} are accepted (before authentication)`));
            this.#socket.destroy();
            return;
          }
          if (--limit[1] === 0) limit[0] = Infinity;
        }
        this.#take(headerBytes);
        this.#need = length;
      }
      if (this.#have < this.#need) break;
      const frame = this.#take(this.#need);
      this.#need = -1;
      if (this.#push !== null) {
        this.#push(frame);
        if (this.#closed) return;
        continue;
      }
      this.#frames.push(frame);
      this.#queued += frame.byteLength;
      added = true;
    }
    if (this.#queued >= PAUSE_AT) this.#socket.pause();
    if (added) this.#wake();
  }

  /** The first `n` bytes received (n ≤ #have), without taking them. */
  #peek(n: number): Buffer {
    const first = this.#chunks[0];
    if (first.byteLength >= n) return first;
    return Buffer.concat(this.#chunks, Math.min(this.#have, Math.max(n, first.byteLength)));
  }

  /** Takes `n` bytes (n ≤ #have) from the front: copies only when they span chunks. */
  #take(n: number): Buffer {
    if (n === 0) return EMPTY;
    this.#have -= n;
    const chunks = this.#chunks;
    const first = chunks[0];
    if (first.byteLength === n) {
      chunks.shift();
      return first;
    }
    if (first.byteLength > n) {
      chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const chunk = chunks[0];
      const part = Math.min(chunk.byteLength, n - at);
      out.set(part === chunk.byteLength ? chunk : chunk.subarray(0, part), at);
      at += part;
      if (part === chunk.byteLength) chunks.shift();
      else chunks[0] = chunk.subarray(part);
    }
    return out;
  }

  #end(error: Error | null): void {
    if (error !== null && this.#failure === null && !this.#ended) this.#failure = error;
    if (this.#ended) return;
    this.#ended = true;
    this.#wake();
    this.#pushEnd?.(this.#failure);
  }

  /** Internal: every frame from now on goes to `onFrame` (those waiting first); `onEnd` when no more can come. */
  [kPush](onFrame: (frame: Buffer) => void, onEnd: (error: Error | null) => void): void {
    this.#push = onFrame;
    this.#pushEnd = onEnd;
    const waiting = this.#frames;
    this.#frames = [];
    this.#queued = 0;
    for (const frame of waiting) onFrame(frame);
    if (this.#ended) onEnd(this.#failure);
  }

  [kKeepAlive](on: boolean): void {
    if (on) this.#hold();
    else this.#let();
  }

  #closedError(method: string): ValueError {
    return new ValueError(`SocketConnection.${method}: the connection is closed`, 'ERR_CLOSED');
  }
}

function frameHeader(length: number): Buffer {
  if (length <= SHORT_MAX) {
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(length, 0);
    return header;
  }
  const header = Buffer.allocUnsafe(12);
  header.writeUInt32BE(LONG_FRAME, 0);
  header.writeBigUInt64BE(BigInt(length), 4);
  return header;
}

interface MovedConnection {
  readonly socket: Socket;
  readonly unread: Uint8Array;
}

registerReducer<SocketConnection<unknown>, MovedConnection>({
  type: 'multiprocessing-ts:SocketConnection',
  module: import.meta.url,
  cls: SocketConnection,
  reduce: (connection) => connection[kMove](),
  rebuild: (state) => SocketConnection[kArrive](state.socket, state.unread),
});
