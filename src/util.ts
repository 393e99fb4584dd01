/** Small helpers shared by several modules. */

/** util.inspect.custom without loading node:util. */
export const inspectCustom: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;

/** A timeout option: undefined/null for none, else a non-negative number of milliseconds. */
export function checkTimeout(timeout: unknown, what: string): number | undefined {
  if (timeout === undefined || timeout === null) return undefined;
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) {
    throw new TypeError(`${what}: timeout must be a non-negative number of milliseconds, got ${String(timeout)}`);
  }
  return timeout;
}
