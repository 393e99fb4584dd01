/** The ways a child can be started. */
export type StartMethod = 'spawn' | 'thread';

export const startMethods: readonly StartMethod[] = ['spawn', 'thread'];

export function isStartMethod(value: unknown): value is StartMethod {
  return typeof value === 'string' && (startMethods as readonly string[]).includes(value);
}
