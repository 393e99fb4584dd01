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

/**
 * A thread child's message port (worker_threads): what moves buffers without a copy, where
 * channels in shared memory must copy them. Only the library's pool uses it.
 */
export interface ThreadMessages {
  post(message: unknown, transfer: readonly ArrayBuffer[]): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** Heap and stack limits of a child (Node's worker resourceLimits; V8 flags for a process). */
export interface ResourceLimits {
  /** The main heap's limit: beyond it the child dies (out of memory), not this process. */
  readonly maxOldGenerationSizeMb?: number;
  readonly maxYoungGenerationSizeMb?: number;
  readonly stackSizeMb?: number;
}

export interface LaunchOptions {
  /** The child's payload, made by reduction.dumps. */
  readonly payload: Buffer;
  readonly daemon: boolean;
  readonly resourceLimits?: ResourceLimits;
}

/** The V8 flags that set these limits for a new Node.js process. */
export function limitFlags(limits: ResourceLimits | undefined): string[] {
  if (limits === undefined) return [];
  const flags: string[] = [];
  if (limits.maxOldGenerationSizeMb !== undefined) flags.push(`--max-old-space-size=${limits.maxOldGenerationSizeMb}`);
  if (limits.maxYoungGenerationSizeMb !== undefined) flags.push(`--max-semi-space-size=${Math.max(1, Math.floor(limits.maxYoungGenerationSizeMb / 3))}`);
  if (limits.stackSizeMb !== undefined) flags.push(`--stack-size=${Math.floor(limits.stackSizeMb * 1024)}`);
  return flags;
}
