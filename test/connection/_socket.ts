// Helpers for the Listener / Client / SocketConnection tests: the three kinds of address, a
// listener with a connection made to it (all closed after the test), plain OS processes the
// test starts (killed after it), and the end-of-file checks (no child alive, nothing of ours
// left in /dev/shm).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activeChildren, Client, Listener, type Address, type ClientOptions, type ListenerOptions, type SocketConnection } from 'multiprocessing-ts';
import { fixtures, isDead, waitFor } from '../helpers.ts';

export { isError, LONG } from '../queues/_util.ts';

export interface TestContext {
  after(fn: () => void | Promise<void>): void;
}

/** TCP on the loopback, the default address (an abstract Unix socket on Linux), a socket file. */
export const KINDS = ['tcp', 'abstract', 'path'] as const;
export type Kind = (typeof KINDS)[number];

/** A temp directory removed after the test. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'mpts-sock-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** What to give Listener for `kind` (undefined: its default address). */
export function addressFor(t: TestContext, kind: Kind): Address | undefined {
  if (kind === 'tcp') return ['127.0.0.1', 0];
  if (kind === 'abstract') return undefined;
  return join(tempDir(t), 'listener.sock');
}

/** A bound Listener of `kind`, closed after the test. */
export async function listen(t: TestContext, kind: Kind, options?: ListenerOptions): Promise<Listener> {
  const listener = new Listener(addressFor(t, kind), options);
  t.after(() => listener.close());
  await listener.ready;
  return listener;
}

/** Closes the connections after the test. */
export function closeAfter<C extends SocketConnection<unknown>>(t: TestContext, ...connections: C[]): C[] {
  t.after(() => {
    for (const connection of connections) connection.close();
  });
  return connections;
}

export interface Pair<T> {
  readonly listener: Listener;
  /** The accepted end. */
  readonly server: SocketConnection<T>;
  /** Client()'s end. */
  readonly client: SocketConnection<T>;
}

/** A listener of `kind` and one connection to it; everything is closed after the test. */
export async function pair<T = unknown>(t: TestContext, kind: Kind, options: ListenerOptions & ClientOptions = {}): Promise<Pair<T>> {
  const listener = await listen(t, kind, options);
  const [server, client] = await Promise.all([listener.accept({ timeout: 20_000 }), Client(listener.address, options)]);
  closeAfter(t, server, client);
  return { listener, server: server as SocketConnection<T>, client: client as SocketConnection<T> };
}

/** The kernel's start time of a live process (to tell it from a later one that reuses its pid); null if gone. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Processes the tests started, pid → start time (checked dead at the end of the file). */
const started = new Map<number, string | null>();

/** Notes a child process (while it is alive) for the end-of-file check. */
export function noteProcess(pid: number | null | undefined): void {
  if (typeof pid === 'number' && pid > 0 && pid !== process.pid && !started.has(pid)) started.set(pid, startTime(pid));
}

/** Whether the process noted as `pid` still runs (not a zombie, not a newer process with its pid). */
function stillRunning(pid: number): boolean {
  if (isDead(pid)) return false;
  const then = started.get(pid);
  return then === null || then === undefined || startTime(pid) === then;
}

export interface Program {
  readonly pid: number;
  /** The next line the program writes to stdout (within `ms`). */
  line(ms?: number): Promise<string>;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a program (`node [flags] script args` or any command), killed after the test if it
 * still runs. Its stdout is read line by line.
 */
export function startProgram(t: TestContext, command: string, args: readonly string[]): Program {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  noteProcess(child.pid);
  let out = '';
  let err = '';
  let consumed = 0;
  const lineWaiters: (() => void)[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const wake of lineWaiters.splice(0)) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      for (const wake of lineWaiters.splice(0)) wake();
    }),
  );
  let done = false;
  void exited.then(() => (done = true));
  t.after(async () => {
    if (!done) child.kill('SIGKILL');
    await exited;
  });
  return {
    pid: child.pid ?? -1,
    async line(ms = 20_000): Promise<string> {
      const end = Date.now() + ms;
      for (;;) {
        const at = out.indexOf('\n', consumed);
        if (at >= 0) {
          const line = out.slice(consumed, at);
          consumed = at + 1;
          return line;
        }
        if (done || Date.now() > end) throw new Error(`${args.join(' ')}: no line on stdout (stdout: ${out}; stderr: ${err})`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(1, end - Date.now()));
          lineWaiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    stdout: () => out,
    stderr: () => err,
    exited,
  };
}

/** A fixture under test/fixtures run by plain node (a .mjs) or through tsx (a .ts). */
export function startNode(t: TestContext, script: string, args: readonly string[]): Program {
  const flags = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  return startProgram(t, process.execPath, [...flags, join(fixtures, script), ...args]);
}

/** The exit of a program, or a failure after `ms` (the program is then killed by the test's cleanup). */
export async function exitWithin(program: Program, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the program did not exit within ${ms} ms (stdout: ${program.stdout()}; stderr: ${program.stderr()})`)), ms);
  });
  try {
    return await Promise.race([program.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** An address as a command-line argument (JSON: a [host, port] pair or a path, '\0' included). */
export function addressArg(address: Address): string {
  return JSON.stringify(address);
}

let python: boolean | undefined;
/** Whether python3 with multiprocessing.connection can be run here. */
export function hasPython(): boolean {
  python ??= spawnSync('python3', ['-c', 'import multiprocessing.connection'], { timeout: 20_000 }).status === 0;
  return python;
}

/** Our segments in /dev/shm (every name the library makes starts with "mpts"). */
export function shmSegments(): Set<string> {
  return new Set(existsSync('/dev/shm') ? readdirSync('/dev/shm').filter((name) => name.startsWith('mpts')) : []);
}

/**
 * The end-of-file check: no child process (Process or OS process) noted by this file is alive, and
 * nothing of ours that appeared in /dev/shm since `before` is still there.
 */
export async function assertNothingLeft(before: Set<string>): Promise<void> {
  const alive = (): number[] => [...started.keys()].filter(stillRunning);
  await waitFor(() => alive().length === 0, 10_000);
  assert.deepEqual(alive(), [], 'child processes still alive');
  assert.deepEqual(activeChildren(), [], 'activeChildren() after every test');
  const fresh = (): string[] => [...shmSegments()].filter((name) => !before.has(name));
  await waitFor(() => fresh().length === 0, 10_000);
  assert.deepEqual(fresh(), [], '/dev/shm segments left behind');
}

/**
 * One end of a socket spoken to byte by byte, without the library: to check the wire format
 * (4-byte big-endian length, then the body; the handshake's frames) from outside.
 */
export class RawPeer {
  readonly socket: Socket;
  #buffer = Buffer.alloc(0);
  #ended = false;
  #wake: (() => void) | null = null;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#wake?.();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#wake?.();
    });
    socket.on('error', () => {});
  }

  /** A raw connection to `address`, closed after the test. */
  static async connect(t: TestContext, address: Address): Promise<RawPeer> {
    const socket = typeof address === 'string' ? createConnection({ path: address }) : createConnection({ host: address[0], port: address[1] });
    t.after(() => {
      socket.destroy();
    });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawPeer(socket);
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** A frame as SocketConnection makes them: 4-byte big-endian length, then the body. */
  writeFrame(body: Uint8Array): void {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.byteLength, 0);
    this.socket.write(Buffer.concat([header, body]));
  }

  /** Exactly `n` bytes (within `ms`); null if the peer ended first. */
  async read(n: number, ms = 20_000): Promise<Buffer | null> {
    const end = Date.now() + ms;
    while (this.#buffer.byteLength < n) {
      if (this.#ended) return null;
      if (Date.now() > end) throw new Error(`RawPeer: ${n} bytes did not arrive within ${ms} ms (have ${this.#buffer.byteLength})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, end - Date.now()));
        this.#wake = () => {
          clearTimeout(timer);
          this.#wake = null;
          resolve();
        };
      });
    }
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  async readFrame(ms = 20_000): Promise<Buffer | null> {
    const header = await this.read(4, ms);
    if (header === null) return null;
    return this.read(header.readUInt32BE(0), ms);
  }

  /** Whether the peer has ended its side (within `ms`). */
  async ended(ms = 20_000): Promise<boolean> {
    await waitFor(() => this.#ended, ms);
    return this.#ended;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A plain net server (no library) on the loopback; RawPeers for what connects. Closed after the test. */
export async function rawServer(t: TestContext): Promise<{ address: readonly [string, number]; next(): Promise<RawPeer> }> {
  const server = createServer();
  const peers: RawPeer[] = [];
  const waiting: ((peer: RawPeer) => void)[] = [];
  const sockets: Socket[] = [];
  server.on('connection', (socket) => {
    sockets.push(socket);
    const peer = new RawPeer(socket);
    const take = waiting.shift();
    if (take === undefined) peers.push(peer);
    else take(peer);
  });
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: ['127.0.0.1', port] as const,
    next: () => {
      const ready = peers.shift();
      return ready === undefined ? new Promise<RawPeer>((resolve) => waiting.push(resolve)) : Promise.resolve(ready);
    },
  };
}
