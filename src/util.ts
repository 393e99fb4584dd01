/** Small helpers shared by several modules. */
import { ValueError } from './errors.js';

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

/**
 * The bytes sendBytes(buffer, offset, size) sends (Pipe and socket connections): a view of
 * `size` bytes from `offset` of a Buffer, typed array, DataView or (Shared)ArrayBuffer.
 * `what` names the call in errors.
 */
export function bytesToSend(buffer: ArrayBufferView | ArrayBuffer, offset: number, size: number | undefined, what: string): Uint8Array {
  const bytes = ArrayBuffer.isView(buffer)
    ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : buffer instanceof ArrayBuffer || (buffer as unknown) instanceof SharedArrayBuffer
      ? new Uint8Array(buffer)
      : null;
  if (bytes === null) throw new TypeError(`${what}: pass a Buffer, a typed array, a DataView or an ArrayBuffer`);
  if (!Number.isInteger(offset) || offset < 0 || offset > bytes.byteLength) {
    throw new ValueError(`${what}: offset ${String(offset)} is outside the buffer (${bytes.byteLength} bytes)`);
  }
  const length = size ?? bytes.byteLength - offset;
  if (!Number.isInteger(length) || length < 0 || offset + length > bytes.byteLength) {
    throw new ValueError(`${what}: size ${String(size)} from offset ${offset} runs past the buffer (${bytes.byteLength} bytes)`);
  }
  return bytes.subarray(offset, offset + length);
}
