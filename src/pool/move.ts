/**
 * move(): a task's result handed to the pool without a copy when the worker is a thread (the
 * buffer is transferred, as piscina's Piscina.move does). From a process worker, or anywhere
 * else, the value is copied as usual: move() only marks it.
 */
const moved = new WeakSet<object>();

/** Marks a buffer a task returns as moved: a thread worker transfers it to the pool. */
export function move<T extends ArrayBuffer | ArrayBufferView>(value: T): T {
  if (!(value instanceof ArrayBuffer) && !ArrayBuffer.isView(value)) {
    throw new TypeError('move(): expected an ArrayBuffer, a typed array, a DataView or a Buffer');
  }
  moved.add(value);
  return value;
}

/** The buffer to transfer if `value` was marked by move(): null if it was not (or is shared anyway). */
export function movedBuffer(value: unknown): ArrayBuffer | null {
  if (typeof value !== 'object' || value === null || !moved.has(value)) return null;
  const buffer = value instanceof ArrayBuffer ? value : (value as ArrayBufferView).buffer;
  return buffer instanceof ArrayBuffer ? buffer : null;
}
