/**
 * The native addon (native/*.cc), loaded on first use so that importing the library never
 * fails on a platform or install where the addon is missing; features that need it then
 * raise UnsupportedPlatformError naming the cause.
 */
import { createRequire } from 'node:module';
import { UnsupportedPlatformError } from './errors.js';

export interface NativeBinding {
  /** Linux: the kernel sends `signal` to this process when its parent dies. False elsewhere. */
  setParentDeathSignal(signal: number): boolean;
  /** A close-on-exec pipe: [readFd, writeFd]. */
  pipe(): [number, number];
  /** A close-on-exec, blocking Unix socket pair: [ours, theirs]. */
  socketPair(): [number, number];
  /** Consumes one byte from fd if one is waiting, without blocking: whether there was one. */
  takeByte(fd: number): boolean;
  /** Closes a descriptor made by pipe() or socketPair() (fs.closeSync would warn in a worker thread). */
  closeFd(fd: number): void;
  /** Keeps a duplicate of fd for another process to take: [sharer address, token] (resource-sharer.ts). */
  shareFd(fd: number): [string, string];
  /** Drops a shared descriptor nobody took. */
  unshareFd(token: string): void;
  /** Takes a descriptor another process shared: the fd, or -1 if it is no longer there. */
  takeSharedFd(address: string, token: string): number;
  /** The process-wide resource tracker fd (-1: none); a candidate is installed if none is. */
  trackerFd(candidate?: number): number;

  /** A named POSIX shared memory segment, created (exclusively, of `size` bytes) or attached. */
  shmOpen(name: string, create: boolean, size: number): SharedArrayBuffer;
  shmUnlink(name: string): void;
  /** A nameless shared arena (Linux memfd): [buffer, fd through which others open it, inode]. */
  arenaCreate(size: number): [SharedArrayBuffer, number, number];
  /** Opens the arena with that inode by `/proc/<pid>/fd/<fd>`; one mapping per process. */
  arenaOpen(path: string, inode: number): [SharedArrayBuffer, number, number];

  /** Blocks the calling thread: 0 woken, 1 the word differed, 2 timed out. */
  futexWait(buffer: SharedArrayBuffer, byteOffset: number, expected: number, timeoutMs: number): number;
  futexWake(buffer: SharedArrayBuffer, byteOffset: number, count: number): number;
  /** Waits on a waiter thread; `callback` gets the futexWait result. Returns an id to cancel. */
  futexWaitAsync(
    buffer: SharedArrayBuffer,
    byteOffset: number,
    expected: number,
    timeoutMs: number,
    callback: (result: number) => void,
  ): number;
  /** The callback of a cancelled wait is never called. */
  futexCancel(id: number): boolean;
  /** A pending Promise, settled by promiseSettle (no resolving functions made). */
  promiseNew(): Promise<unknown>;
  /** Resolves (ok) or rejects a promise from promiseNew; one already settled is left as it is. */
  promiseSettle(promise: Promise<unknown>, ok: boolean, value: unknown): void;
  /** The calling thread's kernel id (gettid). */
  threadId(): number;
  /** False once that thread (of any process) has exited or is a zombie. */
  threadAlive(tid: number): boolean;
}

let binding: NativeBinding | null = null;
let failure: Error | null = null;

export function native(): NativeBinding {
  if (binding !== null) return binding;
  if (failure === null) {
    try {
      // A spawn child's entry point loaded it already (spawn/process-main.ts).
      binding =
        ((globalThis as Record<symbol, unknown>)[Symbol.for('multiprocessing-ts.native')] as NativeBinding | undefined) ??
        (createRequire(import.meta.url)('../build/Release/multiprocessing_native.node') as NativeBinding);
      return binding;
    } catch (error) {
      failure = error as Error;
    }
  }
  throw new UnsupportedPlatformError(
    `The multiprocessing-ts native addon is not available on ${process.platform}-${process.arch} ` +
      `(${failure.message}). Reinstall the package with a C++ compiler present so npm can build it.`,
    { cause: failure },
  );
}

/** Like native(), but null instead of an error: for best-effort uses. */
export function tryNative(): NativeBinding | null {
  try {
    return native();
  } catch {
    return null;
  }
}
