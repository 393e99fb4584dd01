/**
 * Listener and Client (Python's multiprocessing.connection): connections between processes
 * that need not be related, over TCP or Unix sockets, authenticated by a shared key.
 *
 * Authentication is CPython's challenge–response, both ways, as CPython 3.12 speaks it (and
 * understood by 3.11): the side that accepts sends '{sha256}' and 40 random bytes, the other
 * returns their HMAC under the key, and then the roles swap. A key never crosses the wire,
 * and either side that fails raises AuthenticationError. Until
 * then a connection accepts only small frames, so nobody can make us buffer a huge message
 * before proving the key.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationError, TimeoutError, ValueError } from './errors.js';
import { SocketConnection, kCreate, kLimit } from './socket-connection.js';
import { checkTimeout, inspectCustom } from './util.js';

/**
 * Where a Listener listens: `[host, port]` for TCP (port 0: any free port), or a path for a
 * Unix socket (on Linux a path starting with '\0' is in the abstract namespace: no file).
 */
export type Address = string | readonly [host: string, port: number];

export interface ListenerOptions {
  /** Connections must prove this key (Python's authkey); null or absent: no authentication. */
  readonly authkey?: Uint8Array | null;
  /** Connections the kernel queues before accept() (Python's backlog). Default 128. */
  readonly backlog?: number;
}

export interface AcceptOptions {
  /** Milliseconds to wait for a connection (and its authentication), then TimeoutError. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

export interface ClientOptions {
  readonly authkey?: Uint8Array | null;
  /** Milliseconds to connect and authenticate, then TimeoutError. Default: no limit. */
  readonly timeout?: number;
}

const CHALLENGE = Buffer.from('#CHALLENGE#');
const WELCOME = Buffer.from('#WELCOME#');
const FAILURE = Buffer.from('#FAILURE#');
const NONCE_BYTES = 40;
/** What CPython 3.12 asks for, and we too. */
const DIGEST = 'sha256';
/** The digests CPython 3.12 accepts in an answer: its names, and node:crypto's. */
const ALLOWED_DIGESTS = new Map([
  ['md5', 'md5'],
  ['sha256', 'sha256'],
  ['sha384', 'sha384'],
  ['sha3_256', 'sha3-256'],
  ['sha3_384', 'sha3-384'],
]);
/** CPython ≤ 3.11's bare challenge, and its bare HMAC-MD5 answer. */
const LEGACY_MESSAGE = 20;
const MD5_BYTES = 16;
/** The largest frame read before authentication (CPython reads 256 bytes). */
const AUTH_FRAME = 256;
/**
 * A handshake that stalls this long fails (CPython would wait for ever): one side has a key
 * and the other none, or the peer is not one of ours.
 */
const AUTH_TIMEOUT_MS = 30_000;

function ignore(): void {}

export function checkAuthkey(authkey: unknown, what: string): Uint8Array | null {
  if (authkey === undefined || authkey === null) return null;
  if (!(authkey instanceof Uint8Array)) throw new TypeError(`${what}: authkey must be a Buffer or Uint8Array (Python: bytes), got ${typeof authkey}`);
  return authkey;
}

export function checkAddress(address: unknown, what: string): Address {
  if (typeof address === 'string') {
    if (address.length === 0) throw new ValueError(`${what}: an empty socket path`);
    return address;
  }
  if (Array.isArray(address) && address.length === 2 && typeof address[0] === 'string' && Number.isInteger(address[1]) && address[1] >= 0 && address[1] <= 65535) {
    return [address[0], address[1]] as const;
  }
  throw new TypeError(`${what}: an address is [host, port] (TCP) or a socket path, got ${JSON.stringify(address)}`);
}

/** A fresh address no one else uses: an abstract Unix socket on Linux, else one in the temp dir. */
export function arbitraryAddress(): string {
  const name = `mpts-listener-${process.pid}-${randomBytes(6).toString('hex')}`;
  return process.platform === 'linux' ? `\0${name}` : join(tmpdir(), `${name}.sock`);
}

export function describeAddress(address: Address): string {
  if (typeof address !== 'string') return `${address[0]}:${address[1]}`;
  return address.startsWith('\0') ? `@${address.slice(1)}` : address;
}

/**
 * Sends a challenge and checks the answer (CPython's deliver_challenge): the peer must hold
 * `authkey`. On a wrong answer the peer is told, and AuthenticationError is raised here.
 */
export interface HandshakeOptions {
  /** Milliseconds for the exchange. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

/** A handshake's limit: milliseconds, or { timeout, signal }. */
function handshakeOptions(given: number | HandshakeOptions | undefined): HandshakeOptions {
  return typeof given === 'number' ? { timeout: given } : (given ?? {});
}

export async function deliverChallenge(connection: SocketConnection, authkey: Uint8Array, given?: number | HandshakeOptions): Promise<void> {
  const options = handshakeOptions(given);
  // CPython 3.12's challenge: the digest it wants named up front. (3.11 and older answer any
  // challenge with a bare HMAC-MD5, which is accepted: the MAC covers the prefix too.)
  const message = Buffer.concat([Buffer.from(`{${DIGEST}}`), randomBytes(NONCE_BYTES)]);
  connection.sendBytes(Buffer.concat([CHALLENGE, message]));
  const response = await connection.recvBytes(AUTH_FRAME, options);
  if (verify(authkey, message, response)) {
    connection.sendBytes(WELCOME);
    return;
  }
  connection.sendBytes(FAILURE);
  throw new AuthenticationError('digest received was wrong: the other side does not hold the same authkey');
}

/** Answers a challenge (CPython's answer_challenge); AuthenticationError if the peer rejects the answer. */
export async function answerChallenge(connection: SocketConnection, authkey: Uint8Array, given?: number | HandshakeOptions): Promise<void> {
  const options = handshakeOptions(given);
  const challenge = await connection.recvBytes(AUTH_FRAME, options);
  if (challenge.byteLength <= CHALLENGE.byteLength || !challenge.subarray(0, CHALLENGE.byteLength).equals(CHALLENGE)) {
    throw new AuthenticationError('protocol error: expected an authentication challenge (does the other side use an authkey?)');
  }
  const message = challenge.subarray(CHALLENGE.byteLength);
  if (message.byteLength < LEGACY_MESSAGE) throw new AuthenticationError(`protocol error: a challenge of ${message.byteLength} bytes is too short`);
  connection.sendBytes(respond(authkey, message));
  const response = await connection.recvBytes(AUTH_FRAME, options);
  if (!response.equals(WELCOME)) throw new AuthenticationError('digest sent was rejected: the other side holds a different authkey');
}

/**
 * The digest a message names ('{sha256}…'), or '' for a legacy one (CPython ≤ 3.11: a bare
 * 20-byte challenge, or a bare 16-byte HMAC-MD5 answer); null if it names none we accept.
 */
function digestOf(message: Uint8Array): { name: string; payload: Uint8Array } | null {
  if (message.byteLength === LEGACY_MESSAGE || message.byteLength === MD5_BYTES) return { name: '', payload: message };
  if (message[0] !== 0x7b) return null; // '{'
  const end = message.indexOf(0x7d, 1); // '}'
  if (end < 0 || end > 21) return null;
  const name = Buffer.from(message.subarray(1, end)).toString('ascii');
  return ALLOWED_DIGESTS.has(name) ? { name, payload: message.subarray(end + 1) } : null;
}

function hmac(name: string, authkey: Uint8Array, message: Uint8Array): Buffer {
  return createHmac(ALLOWED_DIGESTS.get(name) ?? name, authkey).update(message).digest();
}

function respond(authkey: Uint8Array, message: Uint8Array): Buffer {
  const found = digestOf(message);
  if (found === null) throw new AuthenticationError('protocol error: the challenge names a digest this side does not support');
  if (found.name === '') return hmac('md5', authkey, message);
  return Buffer.concat([Buffer.from(`{${found.name}}`), hmac(found.name, authkey, message)]);
}

function verify(authkey: Uint8Array, message: Uint8Array, response: Uint8Array): boolean {
  const found = digestOf(response);
  if (found === null) return false;
  const expected = hmac(found.name === '' ? 'md5' : found.name, authkey, message);
  return expected.byteLength === found.payload.byteLength && timingSafeEqual(expected, found.payload);
}

/** Both directions of the handshake, in the order of the side given (`accepting`: the listening side). */
export async function authenticate(connection: SocketConnection, authkey: Uint8Array, accepting: boolean, given: number | undefined, signal?: AbortSignal): Promise<void> {
  const timeout = Math.round(given ?? AUTH_TIMEOUT_MS);
  // Each side reads three frames (a challenge, an answer, a verdict); a message right behind them is the caller's.
  connection[kLimit] = [AUTH_FRAME, 3];
  const options = { timeout, signal };
  try {
    if (accepting) {
      await deliverChallenge(connection, authkey, options);
      await answerChallenge(connection, authkey, options);
    } else {
      await answerChallenge(connection, authkey, options);
      await deliverChallenge(connection, authkey, options);
    }
  } catch (error) {
    if (error instanceof TimeoutError) {
      throw new AuthenticationError(`authentication did not complete within ${timeout} ms: does the other side use an authkey too?`, { cause: error });
    }
    throw error;
  }
  connection[kLimit] = [Infinity, 0];
}

/** Wraps an accepted socket; with a key, authenticated (the socket is dropped if that fails). */
async function acceptedConnection(socket: Socket, authkey: Uint8Array | null, timeout?: number, signal?: AbortSignal): Promise<SocketConnection> {
  const connection = new SocketConnection(kCreate, socket);
  if (authkey === null) return connection;
  try {
    await authenticate(connection, authkey, true, timeout, signal);
  } catch (error) {
    connection.close();
    socket.destroy();
    throw error;
  }
  return connection;
}

/**
 * Listens for connections (Python's Listener). Listening starts at once; `ready` settles when
 * the address is bound (or rejects with the reason it cannot be), and accept() waits for it.
 */
export class Listener implements AsyncDisposable {
  readonly #server: Server;
  readonly #authkey: Uint8Array | null;
  readonly #requested: Address;
  readonly ready: Promise<void>;
  #bound: Address | null = null;
  #incoming: Socket[] = [];
  readonly #waiting = new WeakMap<Socket, () => void>();
  #acceptors: ((socket: Socket | null) => void)[] = [];
  #closed = false;
  #failure: Error | null = null;
  #rejectReady: (error: Error) => void = () => {};
  /** Where the last accepted connection came from (Python's last_accepted). */
  lastAccepted: string | readonly [string, number] | null = null;

  constructor(address?: Address | null, options: ListenerOptions = {}) {
    this.#requested = address === undefined || address === null ? arbitraryAddress() : checkAddress(address, 'Listener');
    this.#authkey = checkAuthkey(options.authkey, 'Listener');
    const backlog = options.backlog ?? 128;
    if (!Number.isInteger(backlog) || backlog < 1) throw new ValueError(`Listener: backlog must be a positive integer, got ${String(backlog)}`);
    // Paused until accepted: nothing is read (nor its end seen) before a SocketConnection is there for it.
    const server = createServer({ pauseOnConnect: true });
    this.#server = server;
    server.on('connection', (socket) => {
      const acceptor = this.#acceptors.shift();
      if (acceptor !== undefined) acceptor(socket);
      else this.#queue(socket);
      this.#refIfWaited();
    });
    this.ready = new Promise<void>((resolve, reject) => {
      this.#rejectReady = reject;
      server.once('listening', () => {
        const bound = server.address();
        this.#bound = typeof bound === 'string' || bound === null ? this.#requested : [typeof this.#requested === 'string' ? bound.address : this.#requested[0], bound.port];
        resolve();
      });
      server.once('error', (error) => {
        this.#failure = error;
        reject(error);
        this.#flushAcceptors();
      });
    });
    this.ready.catch(() => {}); // accept() reports it; nobody else has to
    server.on('error', () => {}); // after listening, errors end accept() calls (see #failure)
    if (typeof this.#requested === 'string') server.listen({ path: this.#requested, backlog });
    else server.listen({ host: this.#requested[0], port: this.#requested[1], backlog });
    server.unref(); // only a pending accept() keeps the program alive
  }

  /** The bound address ([host, port] with the real port for port 0). Throws before `ready`. */
  get address(): Address {
    if (this.#bound === null) {
      throw new ValueError(`Listener.address: not bound yet (await listener.ready)${this.#failure === null ? '' : `: ${this.#failure.message}`}`, 'ERR_NOT_READY');
    }
    return this.#bound;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The next connection, authenticated if the Listener has an authkey (AuthenticationError if the peer fails). */
  async accept(options: AcceptOptions = {}): Promise<SocketConnection> {
    const ms = checkTimeout(options.timeout, 'Listener.accept()');
    const deadline = ms === undefined ? Infinity : performance.now() + ms;
    if (this.#closed) throw new ValueError('Listener.accept(): the listener is closed', 'ERR_CLOSED');
    await this.ready;
    const socket = await this.#nextSocket(ms, options.signal);
    this.#dequeued(socket);
    this.lastAccepted = socket.remotePort === undefined ? (socket.remoteAddress ?? (typeof this.#bound === 'string' ? this.#bound : '')) : [socket.remoteAddress ?? '', socket.remotePort];
    const left = deadline === Infinity ? undefined : Math.max(0, deadline - performance.now());
    return acceptedConnection(socket, this.#authkey, left, options.signal);
  }

  /** Stops listening: pending accept() calls fail; a Unix socket's file is removed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#bound === null && this.#failure === null) this.#rejectReady(new ValueError('Listener: closed before it was bound', 'ERR_CLOSED'));
    this.#server.close();
    for (const socket of this.#incoming) socket.destroy();
    this.#incoming = [];
    this.#flushAcceptors();
    const path = this.#requested;
    if (typeof path === 'string' && !path.startsWith('\0') && this.#bound !== null) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  [inspectCustom](): string {
    return `<Listener ${this.#bound === null ? 'binding' : describeAddress(this.#bound)}${this.#closed ? ' closed' : ''}>`;
  }

  #nextSocket(ms: number | undefined, signal: AbortSignal | undefined): Promise<Socket> {
    if (this.#closed) return Promise.reject(new ValueError('Listener.accept(): the listener is closed', 'ERR_CLOSED'));
    signal?.throwIfAborted();
    const ready = this.#incoming.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise<Socket>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const at = this.#acceptors.indexOf(acceptor);
        if (at >= 0) this.#acceptors.splice(at, 1);
        this.#refIfWaited();
      };
      const acceptor = (socket: Socket | null): void => {
        finish();
        if (socket !== null) resolve(socket);
        else reject(this.#failure ?? new ValueError('Listener.accept(): the listener was closed', 'ERR_CLOSED'));
      };
      const onAbort = (): void => {
        finish();
        reject(signal!.reason);
      };
      if (ms !== undefined) {
        timer = setTimeout(() => {
          finish();
          reject(new TimeoutError(`Listener.accept(): no connection within ${ms} ms`));
        }, ms);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#acceptors.push(acceptor);
      this.#refIfWaited();
    });
  }

  /** A connection nobody accepted yet: it keeps nothing alive, and leaves the queue if it goes. */
  #queue(socket: Socket): void {
    const gone = (): void => {
      this.#incoming = this.#incoming.filter((queued) => queued !== socket);
    };
    socket.on('error', ignore); // a reset before accept() is no crash
    socket.once('close', gone);
    this.#waiting.set(socket, gone);
    socket.unref();
    this.#incoming.push(socket);
  }

  /** Accepted: ours to watch now (the SocketConnection listens for its errors and end). */
  #dequeued(socket: Socket): void {
    const gone = this.#waiting.get(socket);
    if (gone === undefined) return;
    this.#waiting.delete(socket);
    socket.off('error', ignore);
    socket.off('close', gone);
    socket.ref();
  }

  #flushAcceptors(): void {
    const acceptors = this.#acceptors;
    this.#acceptors = [];
    for (const acceptor of acceptors) acceptor(null);
  }

  #refIfWaited(): void {
    if (this.#acceptors.length > 0 && !this.#closed) this.#server.ref();
    else this.#server.unref();
  }
}

/**
 * Connects to a Listener (Python's Client): the connection, authenticated when `authkey` is
 * given (it must be the Listener's). Refused or unreachable addresses reject with the
 * system's error (ECONNREFUSED, ENOENT…).
 */
export async function Client(address: Address, options: ClientOptions = {}): Promise<SocketConnection> {
  const target = checkAddress(address, 'Client');
  const authkey = checkAuthkey(options.authkey, 'Client');
  const ms = checkTimeout(options.timeout, 'Client()');
  const deadline = ms === undefined ? Infinity : performance.now() + ms;
  const socket = await new Promise<Socket>((resolve, reject) => {
    const socket = typeof target === 'string' ? createConnection({ path: target }) : createConnection({ host: target[0], port: target[1] });
    let timer: NodeJS.Timeout | undefined;
    if (ms !== undefined) {
      timer = setTimeout(() => {
        socket.destroy();
        reject(new TimeoutError(`Client(): could not connect to ${describeAddress(target)} within ${ms} ms`));
      }, ms);
    }
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(Object.assign(error, { message: `Client(): cannot connect to ${describeAddress(target)}: ${error.message}` }));
    });
  });
  const connection = new SocketConnection(kCreate, socket);
  if (authkey !== null) {
    const left = deadline === Infinity ? undefined : Math.max(0, deadline - performance.now());
    try {
      await authenticate(connection, authkey, false, left);
    } catch (error) {
      connection.close();
      socket.destroy();
      throw error;
    }
  }
  return connection;
}
