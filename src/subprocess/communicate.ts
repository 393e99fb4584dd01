/**
 * `Popen.communicate()`'s machinery: write the input while reading every output at once, so
 * neither side can fill a pipe and wait on the other (no deadlock with large data both ways).
 * One `Communication` lives as long as its `Popen`, so a communicate() that timed out can be
 * continued by a later one.
 */
import type { Readable, Writable } from 'node:stream';
import { Collector } from './collect.js';

function noop(): void {}

export class Communication {
  readonly stdout: Collector | null;
  readonly stderr: Collector | null;
  /** Settles when every collected stream has ended. */
  readonly done: Promise<void>;

  constructor(
    stdin: Writable | null,
    input: Uint8Array | null,
    stdout: Readable | null,
    stderr: Readable | null,
  ) {
    this.stdout = stdout ? new Collector([stdout]) : null;
    this.stderr = stderr ? new Collector([stderr]) : null;
    if (stdin && !stdin.writableEnded) {
      // A child that exits without reading all its input closes the pipe: like Python, that
      // is not an error of communicate().
      stdin.on('error', noop);
      if (input && input.length > 0) stdin.end(input);
      else stdin.end();
    }
    const pending = [this.stdout?.done, this.stderr?.done].filter((p) => p !== undefined);
    this.done = pending.length === 1 ? pending[0] : Promise.all(pending).then(noop);
  }

  /** Gives up on streams still open. */
  abandon(): void {
    this.stdout?.abandon();
    this.stderr?.abandon();
  }
}
