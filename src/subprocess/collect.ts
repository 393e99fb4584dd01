/** Collecting a child's output: chunks are kept as they arrive and joined once at the end. */
import type { Readable } from 'node:stream';

/** Output of one or more streams (several when stderr is merged into stdout), in arrival order. */
export class Collector {
  #chunks: Buffer[] = [];
  #length = 0;
  #joined: Buffer | null = null;
  /** Settles when every source has ended, closed or failed. */
  readonly done: Promise<void>;
  #sources: Readable[];

  constructor(sources: Readable[]) {
    this.#sources = sources;
    const push = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      this.#chunks.push(buf);
      this.#length += buf.length;
      this.#joined = null;
    };
    this.done = Promise.all(
      sources.map(
        (source) =>
          new Promise<void>((resolve) => {
            if (source.readableEnded || source.destroyed) return resolve();
            source.on('data', push);
            source.once('end', resolve);
            source.once('close', resolve);
            source.once('error', resolve);
          }),
      ),
    ).then(() => undefined);
  }

  /** Everything received so far (the collection goes on). */
  bytes(): Buffer {
    if (this.#joined === null) {
      this.#joined =
        this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks, this.#length);
      // Keep one chunk: the joined buffer stands for all of them from now on.
      this.#chunks = [this.#joined];
    }
    return this.#joined;
  }

  /** Stops waiting for sources that have not ended (something outside the tree holds them). */
  abandon(): void {
    for (const source of this.#sources) source.destroy();
  }
}
