/**
 * Named shared memory (Python's multiprocessing.shared_memory.SharedMemory): a segment any
 * process can attach to by name, unrelated ones included. The creator's resource tracker
 * unlinks it if every process of the program exits without calling unlink().
 */
import { randomBytes } from 'node:crypto';
import { FileExistsError, FileNotFoundError, ValueError } from './errors.js';
import { futexBinding } from './futex.js';
import { registerReducer } from './reduction.js';
import { register, unregister } from './resource-tracker/client.js';
import { inspectCustom } from './util.js';

export interface SharedMemoryOptions {
  /** The segment's name; default: a new unique name (create only). */
  readonly name?: string;
  /** Create a new segment (it must not exist) rather than attach to an existing one. */
  readonly create?: boolean;
  /** Bytes, when creating. Attaching maps the whole segment. */
  readonly size?: number;
  /**
   * Register the created segment with the resource tracker (default true), which unlinks it
   * once every process of the program has exited. Attaching never registers (Python's
   * bpo-39959 unlinked segments still in use by others).
   */
  readonly track?: boolean;
}

const NAME = /^[A-Za-z0-9_.-]{1,250}$/;

export class SharedMemory implements Disposable {
  readonly name: string;
  readonly size: number;
  #buffer: SharedArrayBuffer | null;
  #buf: Buffer | null = null;
  #tracked: boolean;

  /** `new SharedMemory({ create: true, size })`, or `new SharedMemory('name')` to attach. */
  constructor(options: SharedMemoryOptions | string) {
    const { name, create = false, size = 0, track = true } = typeof options === 'string' ? { name: options } : options;
    const binding = futexBinding('SharedMemory');
    const bare = typeof name === 'string' ? name.replace(/^\//, '') : name;
    if (bare !== undefined && (typeof bare !== 'string' || !NAME.test(bare) || bare === '.' || bare === '..')) {
      throw new ValueError(`SharedMemory: invalid name ${JSON.stringify(name)}; use letters, digits, '_', '.', '-'`);
    }
    if (!create && name === undefined) throw new ValueError('SharedMemory: give a name to attach to, or create: true');
    if (create && (!Number.isInteger(size) || size <= 0)) {
      throw new ValueError(`SharedMemory: size must be a positive integer number of bytes when creating, got ${String(size)}`);
    }
    this.name = name?.replace(/^\//, '') ?? `mpts_${randomBytes(8).toString('hex')}`;
    try {
      this.#buffer = binding.shmOpen(`/${this.name}`, create, size);
    } catch (error) {
      const errno = (error as { errno?: number }).errno;
      if (errno === 2) throw new FileNotFoundError(`SharedMemory: no segment named '${this.name}' exists`, { cause: error });
      if (errno === 17) {
        throw new FileExistsError(`SharedMemory: a segment named '${this.name}' exists already; attach to it (create: false) or pick another name`, { cause: error });
      }
      throw error;
    }
    this.size = this.#buffer.byteLength;
    this.#tracked = create && track;
    if (this.#tracked) register('shared_memory', this.name);
  }

  /** The segment's bytes, shared with every process that attached. */
  get buf(): Buffer {
    if (this.#buffer === null) throw new ValueError(`SharedMemory '${this.name}' is closed`, 'ERR_CLOSED');
    this.#buf ??= Buffer.from(this.#buffer);
    return this.#buf;
  }

  /** The segment as a SharedArrayBuffer, e.g. for typed array views or worker threads. */
  get buffer(): SharedArrayBuffer {
    if (this.#buffer === null) throw new ValueError(`SharedMemory '${this.name}' is closed`, 'ERR_CLOSED');
    return this.#buffer;
  }

  /**
   * Lets go of this process's view: `buf` becomes unusable here. The mapping is unmapped
   * when the garbage collector drops the last view (JavaScript cannot unmap memory it may
   * still reference). The segment lives on until unlink().
   */
  close(): void {
    this.#buffer = null;
    this.#buf = null;
  }

  /** Removes the name: no one can attach any more; the memory goes with the last mapping. */
  unlink(): void {
    try {
      futexBinding('SharedMemory').shmUnlink(`/${this.name}`);
    } catch (error) {
      if ((error as { errno?: number }).errno !== 2) throw error;
      throw new FileNotFoundError(`SharedMemory.unlink(): no segment named '${this.name}' exists (unlinked already?)`, { cause: error });
    }
    if (this.#tracked) unregister('shared_memory', this.name);
    this.#tracked = false;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  [inspectCustom](): string {
    return `SharedMemory('${this.name}', size=${this.size}${this.#buffer === null ? ', closed' : ''})`;
  }
}

registerReducer<SharedMemory, { name: string }>({
  type: 'multiprocessing-ts:SharedMemory',
  module: import.meta.url,
  cls: SharedMemory,
  reduce: (memory) => ({ name: memory.name }),
  rebuild: (state) => new SharedMemory({ name: state.name }),
});
