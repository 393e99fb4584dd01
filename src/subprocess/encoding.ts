/** Text mode: decoding output and encoding input, with Python's `encoding` / `errors`. */
import { TextDecoder } from 'node:util';
import { UnicodeDecodeError } from './errors.js';
import type { Args, DecodeErrors, Input } from './types.js';
import { describe } from './command.js';

/** A resolved text mode: the canonical encoding name and the error policy. */
export interface TextMode {
  readonly encoding: string;
  readonly errors: DecodeErrors;
}

const ERRORS: readonly DecodeErrors[] = ['strict', 'replace', 'ignore'];

/** The text mode the options select, or `null` for bytes. Throws for a bad encoding or policy. */
export function resolveTextMode(
  text: unknown,
  encoding: unknown,
  errors: unknown,
): TextMode | null {
  if (encoding != null && typeof encoding !== 'string') {
    throw new TypeError(`encoding must be a string such as 'utf-8', got ${describe(encoding)}.`);
  }
  if (errors != null && !ERRORS.includes(errors as DecodeErrors)) {
    throw new TypeError(`errors must be one of ${ERRORS.map((e) => `'${e}'`).join(', ')}, got ${describe(errors)}.`);
  }
  if (!text && encoding == null && errors == null) return null;
  const label = encoding ?? 'utf-8';
  let canonical: string;
  try {
    canonical = new TextDecoder(label).encoding;
  } catch {
    throw new RangeError(
      `Unknown encoding '${label}'. Use a WHATWG encoding label such as 'utf-8', 'utf-16le', 'latin1' or 'gbk'.`,
    );
  }
  return { encoding: canonical, errors: (errors as DecodeErrors | null) ?? 'strict' };
}

/**
 * Decodes captured output. `strict` throws `UnicodeDecodeError` unless `lenient` (used for
 * the partial output attached to errors). Line endings `\r\n` and `\r` become `\n`, as in
 * Python's text mode.
 */
export function decodeOutput(
  data: Buffer,
  mode: TextMode,
  what: string,
  cmd: Args,
  lenient = false,
): string {
  const fatal = mode.errors === 'strict' && !lenient;
  let text: string;
  try {
    text = new TextDecoder(mode.encoding, { fatal, ignoreBOM: true }).decode(data);
  } catch {
    throw new UnicodeDecodeError(mode.encoding, data, what, cmd);
  }
  if (mode.errors === 'ignore' && text.includes('\uFFFD')) text = text.replaceAll('\uFFFD', '');
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  return text;
}

/** A streaming decoder for `lines()`: never throws, substitutes U+FFFD. */
export function lineDecoder(mode: TextMode | null): TextDecoder {
  return new TextDecoder(mode?.encoding ?? 'utf-8', { ignoreBOM: true });
}

const NODE_ENCODINGS: Record<string, BufferEncoding> = {
  'utf-8': 'utf8',
  'utf-16le': 'utf16le',
};

/** Turns `input` into bytes: a string is encoded with the text mode's encoding (utf-8 by default). */
export function encodeInput(input: Input, mode: TextMode | null): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (typeof input !== 'string') {
    throw new TypeError(`input must be a string or a Uint8Array (e.g. a Buffer), got ${describe(input)}.`);
  }
  const encoding = mode?.encoding ?? 'utf-8';
  const node = NODE_ENCODINGS[encoding];
  if (node) return Buffer.from(input, node);
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(input)) return Buffer.from(input, 'latin1');
  throw new TypeError(
    `A string input can only be encoded here as utf-8 or utf-16le, not ${encoding}; ` +
      'encode it yourself and pass a Uint8Array.',
  );
}
