/** `Popen.lines()`: a child's output as an async iterator of lines. */
import type { TextDecoder } from 'node:util';
import type { Readable } from 'node:stream';

/**
 * Yields the lines of `source` without their `\n` (or `\r\n`), the last one even without a
 * newline. Breaking out of the loop destroys the stream, as `| head` does: a child still
 * writing then gets EPIPE / SIGPIPE.
 */
export async function* readLines(source: Readable, decoder: TextDecoder): AsyncGenerator<string, void, undefined> {
  let rest = '';
  for await (const chunk of source) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.decode(chunk as Buffer, { stream: true }));
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      const end = newline > start && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      yield text.slice(start, end);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    rest = start === 0 ? text : text.slice(start);
  }
  rest += decoder.decode();
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}
