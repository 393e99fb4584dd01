/**
 * The ways a child can be started: 'spawn' (a new Node.js process), 'thread' (a worker
 * thread), 'forkserver' (Python's name for fast process starts: here, a new Node.js process
 * booted ahead of time that waits for its payload).
 */
export type StartMethod = 'spawn' | 'thread' | 'forkserver';

export const startMethods: readonly StartMethod[] = ['spawn', 'thread', 'forkserver'];

export function isStartMethod(value: unknown): value is StartMethod {
  return typeof value === 'string' && (startMethods as readonly string[]).includes(value);
}
