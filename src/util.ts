/** Small helpers shared by several modules. */

/** util.inspect.custom without loading node:util. */
export const inspectCustom: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;
