/**
 * How a started child is driven from the parent, whatever runs it (CPython's popen_* layer).
 * Exit codes follow Python: 0, 1 on an uncaught error, the code given to exit, -N for signal N.
 */
export interface Popen {
  readonly pid: number;
  /** Null while running. */
  readonly exitcode: number | null;
  /** Resolves with the exit code once the child has ended. */
  readonly exited: Promise<number>;
  /** SIGTERM (a thread: stopped, exit code -15). */
  terminate(): void;
  /** SIGKILL (a thread: stopped, exit code -9). */
  kill(): void;
  /** Whether a live child keeps the parent's event loop running (non-daemonic children do). */
  setKeepsParentAlive(keep: boolean): void;
}

export interface LaunchOptions {
  /** The child's payload, made by reduction.dumps. */
  readonly payload: Buffer;
  readonly daemon: boolean;
}
