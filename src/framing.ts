/**
 * How dumps() frames a value: one header byte, then the body. Shared by reduction.ts and a
 * child's bootstrap, which decodes a JSON body without loading reduction.ts or node:v8
 * (node:v8 loads Node's stream modules: ~2 ms of a child's start-up).
 */

/** The body is v8.serialize's bytes of structured-clone data. */
export const HEADER_PLAIN = 0;
/** The body is v8.serialize's bytes of data holding reduced objects (reduction.ts rebuilds them). */
export const HEADER_REDUCED = 1;
/** The body is JSON of a value JSON carries exactly (see jsonExact). */
export const HEADER_JSON = 2;

/** Marks a Uint8Array in JSON (no plain object JSON carries may have this key). */
const BYTES = '\u0000multiprocessing-ts:bytes';

export function frame(header: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = header;
  out.set(body, 1);
  return out;
}

export function body(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset + 1, bytes.byteLength - 1);
}

/**
 * Whether JSON carries `value` exactly as structured clone would: null, booleans, strings,
 * finite numbers but -0, Uint8Arrays (tagged), dense arrays and plain objects of those, each
 * object once (structured clone keeps shared references and cycles), `budget` values at most
 * (beyond that v8.serialize is the faster choice anyway). `bytes` false: no Uint8Arrays either
 * (for plain JSON.stringify).
 */
export function jsonExact(value: unknown, budget = 256, bytes = true): boolean {
  const seen = new Set<object>();
  const check = (v: unknown): boolean => {
    if (--budget < 0) return false;
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return true;
    if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
    if (typeof v !== 'object' || seen.has(v)) return false;
    seen.add(v);
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto === Uint8Array.prototype) return bytes;
    if (Array.isArray(v)) {
      if (proto !== Array.prototype || Object.keys(v).length !== v.length) return false;
      for (let i = 0; i < v.length; i++) {
        if (!Object.prototype.hasOwnProperty.call(v, i) || !check(v[i])) return false; // a hole, or not exact
      }
      return true;
    }
    if (proto !== Object.prototype && proto !== null) return false;
    if (Object.prototype.hasOwnProperty.call(v, BYTES)) return false;
    return Object.values(v).every(check);
  };
  return check(value);
}

/** JSON with Uint8Arrays tagged; only for values jsonExact accepts. */
export function frameJson(value: unknown): Buffer {
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const original = this[key];
    if (!(original instanceof Uint8Array)) return v;
    return { [BYTES]: Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64') };
  });
  return frame(HEADER_JSON, Buffer.from(text, 'utf8'));
}

export function unframeJson(bytes: Uint8Array): unknown {
  return JSON.parse(body(bytes).toString('utf8'), (_key, v: unknown) => {
    const tagged = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[BYTES] : undefined;
    return typeof tagged === 'string' ? new Uint8Array(Buffer.from(tagged, 'base64')) : v;
  });
}
