/**
 * Small shared objects packed into shared arenas (CPython's multiprocessing/heap.py).
 *
 * An arena is nameless shared memory (a Linux memfd), so a crash can never leave it behind in
 * /dev/shm: the kernel frees it when the last process holding it lets go. Another process
 * opens it through `/proc/<pid>/fd/<fd>` of a process that holds it, as Python hands arena
 * fds out through its resource sharer; the sender must therefore be alive when the receiver
 * rebuilds the object, which holds for Process arguments.
 *
 * Blocks are never reused: a child may still use a block its creator has dropped. Values
 * and locks are small, so a program would need millions of them for this to matter.
 */
import { SerializationError } from './errors.js';
import { futexBinding } from './futex.js';
import { registerReducer } from './reduction.js';

const ARENA_SIZE = 1 << 20;
/** Blocks at least this big get an arena of their own. */
const OWN_ARENA = ARENA_SIZE / 4;
const PAGE = 4096;

export class Arena {
  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly fd: number,
    /** Names the arena across processes (fd numbers differ, and get reused). */
    readonly inode: number,
  ) {}

  /** Where another process can open this arena while this one holds it. */
  get location(): string {
    return `/proc/${process.pid}/fd/${this.fd}`;
  }
}

/** A region of an arena: what Value, Array and the locks live in. */
export interface Block {
  readonly arena: Arena;
  readonly offset: number;
  readonly size: number;
}

/** How a block crosses to another process (part of its owner's reduced state). */
export interface BlockState {
  readonly location: string;
  readonly inode: number;
  readonly offset: number;
  readonly size: number;
}

// Arenas this thread has open, by fd (one mapping per process, shared by all its threads).
const arenas = new Map<number, WeakRef<Arena>>();
let current: Arena | null = null;
let used = 0;

function newArena(size: number, what: string): Arena {
  const [buffer, fd, inode] = futexBinding(what).arenaCreate(size);
  const arena = new Arena(buffer, fd, inode);
  arenas.set(fd, new WeakRef(arena));
  return arena;
}

/** `size` bytes of zeroed shared memory, aligned to `align` (a power of two ≤ 4096). */
export function allocate(size: number, align: number, what: string): Block {
  if (size >= OWN_ARENA) {
    return { arena: newArena(Math.ceil(Math.max(size, 1) / PAGE) * PAGE, what), offset: 0, size };
  }
  let offset = (used + align - 1) & ~(align - 1);
  if (current === null || offset + size > ARENA_SIZE) {
    current = newArena(ARENA_SIZE, what);
    offset = 0;
  }
  used = offset + size;
  return { arena: current, offset, size };
}

export function blockState(block: Block): BlockState {
  return { location: block.arena.location, inode: block.arena.inode, offset: block.offset, size: block.size };
}

export function blockFrom(state: BlockState, what: string): Block {
  const binding = futexBinding(what);
  let opened: [SharedArrayBuffer, number, number];
  try {
    opened = binding.arenaOpen(state.location, state.inode);
  } catch (error) {
    const pid = /\/proc\/(\d+)\//.exec(state.location)?.[1] ?? '?';
    throw new SerializationError(
      `${what} arrived, but its shared memory can no longer be opened: the process that sent it ` +
        `(pid ${pid}) has exited (${(error as Error).message}). Keep the sender alive until ` +
        'the receiver has the object, or create the object in a process that outlives both.',
      'ERR_SHARED_MEMORY_GONE',
      { cause: error },
    );
  }
  const [buffer, fd, inode] = opened;
  let arena = arenas.get(fd)?.deref();
  if (arena === undefined) {
    arena = new Arena(buffer, fd, inode);
    arenas.set(fd, new WeakRef(arena));
  }
  return { arena, offset: state.offset, size: state.size };
}

/** Int32 words of a block: what the futex-based primitives operate on. */
export function wordsOf(block: Block, count: number): Int32Array {
  return new Int32Array(block.arena.buffer, block.offset, count);
}

let attaching: Block | null = null;

/** Rebuilds an object over an existing block: inside `construct`, claim() returns that block. */
export function attachTo<T>(block: Block, construct: () => T): T {
  attaching = block;
  try {
    return construct();
  } finally {
    attaching = null;
  }
}

/**
 * For constructors of shared objects: the block being attached to (fresh: false), or a newly
 * allocated one for a new object (fresh: true, zeroed, to be initialised by the caller).
 */
export function claim(size: number, align: number, what: string): { block: Block; fresh: boolean } {
  const block = attaching;
  attaching = null;
  if (block !== null) return { block, fresh: false };
  return { block: allocate(size, align, what), fresh: true };
}

/** Where a shared object keeps its block (the reducer reads it). */
export const kBlock = Symbol('block');

/**
 * Registers how instances of a class whose whole state is one block cross to another process:
 * as that block, rebuilt by its no-argument constructor attached to it (Lock, Event…).
 */
export function registerBlockReducer(cls: new () => { readonly [kBlock]: Block }, module: string): void {
  registerReducer<{ readonly [kBlock]: Block }, BlockState>({
    type: `multiprocessing-ts:${cls.name}`,
    module,
    cls,
    reduce: (object) => blockState(object[kBlock]),
    rebuild: (state) => attachTo(blockFrom(state, cls.name), () => new cls()),
  });
}
