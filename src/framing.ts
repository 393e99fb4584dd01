/**
 * How dumps() frames a value: one header byte, then v8.serialize's bytes. Shared by
 * reduction.ts and a child's bootstrap, which decodes a plain payload without loading the
 * reducer registry.
 */
import v8 from 'node:v8';

/** Structured-clone data only: v8.deserialize gives the value back. */
export const HEADER_PLAIN = 0;
/** Holds reduced objects: the receiver rebuilds them (reduction.ts). */
export const HEADER_REDUCED = 1;

export function frame(header: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = header;
  body.copy(out, 1);
  return out;
}

/** The deserialized body, still holding reduced boxes if the header says so. */
export function unframe(bytes: Uint8Array): unknown {
  return v8.deserialize(Buffer.from(bytes.buffer, bytes.byteOffset + 1, bytes.byteLength - 1));
}
