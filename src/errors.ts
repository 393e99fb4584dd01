/**
 * Every error the library raises. Python's names where Python has one; each carries a stable
 * `code` so callers can branch without parsing messages.
 */

export class MultiprocessingError extends Error {
  readonly code: string;
  constructor(message: string, code = 'ERR_MULTIPROCESSING', options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Misuse of a process object: starting twice, joining before start, closing a live one. */
export class ProcessError extends MultiprocessingError {
  constructor(message: string, code = 'ERR_PROCESS_STATE', options?: ErrorOptions) {
    super(message, code, options);
  }
}

/**
 * A value cannot cross to another process or thread: a function that is not exported, a
 * closure, or data structured clone cannot copy. Python raises `PicklingError` here.
 */
export class SerializationError extends MultiprocessingError {
  constructor(message: string, code = 'ERR_SERIALIZATION', options?: ErrorOptions) {
    super(message, code, options);
  }
}

/** An operation timed out (Python's `multiprocessing.TimeoutError`). */
export class TimeoutError extends MultiprocessingError {
  constructor(message: string, code = 'ERR_TIMEOUT', options?: ErrorOptions) {
    super(message, code, options);
  }
}

/** The running platform lacks what a feature needs (e.g. futexes or prctl). */
export class UnsupportedPlatformError extends MultiprocessingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_UNSUPPORTED_PLATFORM', options);
  }
}

/**
 * A value is out of range for the operation (Python's `ValueError`): a semaphore or lock
 * released more times than acquired, a shared-memory size of zero.
 */
export class ValueError extends MultiprocessingError {
  constructor(message: string, code = 'ERR_VALUE', options?: ErrorOptions) {
    super(message, code, options);
  }
}

/** An owned lock used by a thread or process that does not hold it (RLock, Condition). */
export class LockNotOwnedError extends MultiprocessingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_LOCK_NOT_OWNED', options);
  }
}

/** A Barrier was aborted, reset, or timed out while (or before) waiting on it. */
export class BrokenBarrierError extends MultiprocessingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_BROKEN_BARRIER', options);
  }
}

/** A named resource (a SharedMemory segment) does not exist. Code `ENOENT`. */
export class FileNotFoundError extends MultiprocessingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ENOENT', options);
  }
}

/** A named resource to create exists already. Code `EEXIST`. */
export class FileExistsError extends MultiprocessingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'EEXIST', options);
  }
}

/** A non-blocking or timed get found the queue empty (Python's `queue.Empty`). */
export class Empty extends MultiprocessingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_QUEUE_EMPTY', options);
  }
}

/** A non-blocking or timed put found a bounded queue full (Python's `queue.Full`). */
export class Full extends MultiprocessingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_QUEUE_FULL', options);
  }
}

/** Nothing left to receive: every holder of the other end has closed it (or exited). */
export class EOFError extends MultiprocessingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_EOF', options);
  }
}

/** Sending on a Connection whose other end every holder has closed. Code `EPIPE`. */
export class BrokenPipeError extends MultiprocessingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'EPIPE', options);
  }
}

/**
 * recvBytesInto(): the message is longer than the room in the buffer. The message has been
 * consumed; `bytes` holds it whole (Python's `BufferTooShort`, whose args[0] does the same).
 */
export class BufferTooShort extends MultiprocessingError {
  readonly bytes: Buffer;
  constructor(message: string, bytes: Buffer, options?: ErrorOptions) {
    super(message, 'ERR_BUFFER_TOO_SHORT', options);
    this.bytes = bytes;
  }
}

/**
 * recvBytes(maxLength): the next message is longer. As in Python, the connection is closed
 * (this handle only); the message stays for other holders of the same end.
 */
export class MessageTooLongError extends MultiprocessingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_MESSAGE_TOO_LONG', options);
  }
}

/**
 * Authentication with an authkey failed (Python's `AuthenticationError`): the other side
 * answered the challenge with a wrong digest, or rejected ours. Both sides must use the same key.
 */
export class AuthenticationError extends MultiprocessingError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'ERR_AUTHENTICATION', options);
  }
}

/**
 * A manager's server could not carry out a request (Python's `RemoteError`): an unknown
 * method, object or type, or a result that cannot be sent back. `remoteStack` is the server's
 * account of it. (An error the object's own method raised arrives as itself, as in Python.)
 */
export class RemoteError extends MultiprocessingError {
  readonly remoteStack: string | undefined;
  constructor(message: string, remoteStack?: string, options?: ErrorOptions) {
    super(remoteStack === undefined ? message : `${message}\n${'-'.repeat(75)}\n${remoteStack}\n${'-'.repeat(75)}`, 'ERR_REMOTE', options);
    this.remoteStack = remoteStack;
  }
}

/** What the pool knows about a worker that died: its name, pid and how it ended. */
export interface WorkerDetails {
  /** The worker's process name (`SpawnPoolWorker-3`). */
  readonly workerName: string;
  /** Its pid (a thread worker's is the pool's own). */
  readonly pid: number | null;
  /** The exit code: -9 for SIGKILL, 1 for an uncaught error… */
  readonly exitcode: number | null;
}

/**
 * A pool worker died (SIGKILL, process.exit, an uncaught error, out of memory) while it ran the
 * task: the task fails with this; the pool replaces the worker and goes on. The worker's
 * uncaught error, when it could report one, is the `cause`.
 */
export class WorkerLostError extends MultiprocessingError implements WorkerDetails {
  readonly workerName: string;
  readonly pid: number | null;
  readonly exitcode: number | null;
  constructor(message: string, details: WorkerDetails, code = 'ERR_WORKER_LOST', options?: ErrorOptions) {
    super(message, code, options);
    this.workerName = details.workerName;
    this.pid = details.pid;
    this.exitcode = details.exitcode;
  }
}

/**
 * An executor could not run a task (Python's `concurrent.futures.BrokenExecutor`): its worker
 * died while running it, or the workers cannot start (a failing initializer).
 */
export class BrokenExecutor extends WorkerLostError {
  constructor(message: string, details: WorkerDetails, code = 'ERR_BROKEN_EXECUTOR', options?: ErrorOptions) {
    super(message, details, code, options);
  }
}

/** Python's `BrokenProcessPool`: a ProcessPoolExecutor (or a Pool) whose worker was lost. */
export class BrokenProcessPool extends BrokenExecutor {
  constructor(message: string, details: WorkerDetails, options?: ErrorOptions) {
    super(message, details, 'ERR_BROKEN_PROCESS_POOL', options);
  }
}

/** Python's `BrokenThreadPool`: the same for a ThreadPoolExecutor. */
export class BrokenThreadPool extends BrokenExecutor {
  constructor(message: string, details: WorkerDetails, options?: ErrorOptions) {
    super(message, details, 'ERR_BROKEN_THREAD_POOL', options);
  }
}

/** A task or future was cancelled before it ran, or dropped by terminate() / shutdown({ cancelFutures }). */
export class CancelledError extends MultiprocessingError {
  constructor(message: string, code = 'ERR_CANCELLED', options?: ErrorOptions) {
    super(message, code, options);
  }
}
