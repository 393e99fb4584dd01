/**
 * What a pool and its workers say to each other through their channels (channel.ts): one
 * record per task and per result, plain arrays so that the common cases travel as numbers or
 * JSON rather than through the generic serializer.
 *
 *   define   [-1, functionId, reference]: the function a worker has not seen yet, before
 *            its first task
 *   task     [slot, generation, functionId, mode, args]; mode CALL runs fn(...args), MAP and
 *            STARMAP run it over a chunk of items (Python's mapstar/starmapstar)
 *            or, when the arguments are all numbers: [slot, generation, functionId,
 *            mode + INLINE, ...args], a list of float64s (message.ts K_NUMBERS), a map's long
 *            chunk as one Float64Array at the end (K_PACKED)
 *            or, its arguments moved to a thread worker by its message port instead:
 *            [slot, generation, functionId, mode + PORTED]
 *   result   [slot, generation, status, microseconds the task took, value]  (no value: undefined)
 *            or, for a list of numbers: [slot, generation, status + INLINE, micros, ...values]
 *            (a map chunk's many: one Float64Array)
 *            or, a value moved by the port (move()): [slot, generation, status + PORTED, micros]
 *   ported   { mpts: 'ported', slot, generation, values, buffers } on a thread's port: the
 *            arguments, or [the result]
 *   stop     STOP (a number): the worker finishes and exits
 */
import type { Channel } from '../channel.js';
import { BULK_NUMBERS, encode, encodeJson, encodeNumbers, isJsonPrimitive, type Outgoing } from '../message.js';
import { createReduceContext, dumps, loadsAsync } from '../reduction.js';
import type { ResolvedReference } from '../reference.js';
import type { TaskTable } from './task-table.js';

/** A task record: its head, then the arguments (a list, their serialized bytes, or inline numbers). */
export type TaskRecord = [slot: number, generation: number, functionId: number, mode: number, ...rest: unknown[]];
/** A function's reference for a worker, sent before the first task that calls it. */
export type DefineRecord = [slot: typeof DEFINE, functionId: number, reference: ResolvedReference];
/** The slot of a DefineRecord. */
export const DEFINE = -1;
/** A task's arguments: a list, or a map's chunk of numbers packed (mapList). */
export type TaskArgs = unknown[] | Float64Array;

export const CALL = 0;
export const MAP = 1;
export const STARMAP = 2;
export type Mode = typeof CALL | typeof MAP | typeof STARMAP;
/**
 * Added to a task's mode or a result's status: the arguments or the result list are the
 * record's own tail, numbers read straight out of shared memory (no text, no serializer).
 */
export const INLINE = 16;
/** Added to a task's mode or a result's status: the arguments or value come by the message port. */
export const PORTED = 32;
/** A mode or status without its flags. */
export const BASE = 15;

/** What goes by a thread worker's message port: a task's arguments, or a result (one value), moved. */
export interface PortedMessage {
  readonly mpts: 'ported';
  readonly slot: number;
  readonly generation: number;
  readonly values: unknown[];
  /** Which values were Buffers: a port delivers them as plain Uint8Arrays. */
  readonly buffers: number[];
}

export function portedMessage(slot: number, generation: number, values: unknown[]): PortedMessage {
  const buffers: number[] = [];
  for (let i = 0; i < values.length; i++) if (Buffer.isBuffer(values[i])) buffers.push(i);
  return { mpts: 'ported', slot, generation, values, buffers };
}

/** The values of a ported message, Buffers as Buffers again. */
export function portedValues(message: PortedMessage): unknown[] {
  const values = message.values;
  for (const i of message.buffers) {
    const bytes = values[i] as Uint8Array;
    values[i] = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return values;
}

export function isPorted(message: unknown): message is PortedMessage {
  return typeof message === 'object' && message !== null && (message as PortedMessage).mpts === 'ported';
}

/** A plain list of numbers (not a user's typed array: that one must arrive as itself). */
function numberList(value: unknown): value is number[] {
  if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'number') return false;
  return true;
}

export type ResultRecord = [slot: number, generation: number, status: number, micros: number, ...value: unknown[]];

export const STOP = 0;

/** Result statuses. A slot of -1 marks a message about the worker (its id in the generation's place). */
export const OK = 0;
export const FAILED = 1;
/** The worker's initializer threw: the value is the error; the worker exits. */
export const INIT_FAILED = 2;
/** An error escaped every task (an uncaught exception): the value is the error; the worker exits. */
export const FATAL = 3;

/** What a worker is started with (its Process argument). */
export interface WorkerConfig {
  readonly id: number;
  readonly tasks: Channel;
  readonly results: Channel;
  readonly table: TaskTable;
  readonly initializer: ResolvedReference | null;
  readonly initargs: unknown[];
}

// ---- records as channel messages ----------------------------------------------------------
// The common records (numbers, small primitives) are built here directly, which saves the
// generic encoder's walk over the value; anything else goes through encode().

function allPrimitive(values: unknown[]): boolean {
  for (let i = 0; i < values.length; i++) if (!isJsonPrimitive(values[i])) return false;
  return true;
}

/** A task's arguments, serialized once: a task may be sent again (moved to another worker). */
export interface ArgsCache {
  serialized: Uint8Array | null;
}

/** Arguments other than primitives are serialized once and kept: reducing them again for a second send could fail (a socket moves once). */
export function encodeTask(slot: number, generation: number, functionId: number, mode: number, args: TaskArgs, cache: ArgsCache, what: string): Outgoing {
  if ((mode & PORTED) !== 0) return encodeNumbers([slot, generation, functionId, mode]);
  if (args instanceof Float64Array) return encodeNumbers([slot, generation, functionId, mode + INLINE], args);
  if (mode !== STARMAP) {
    if (numberList(args)) return encodeNumbers([slot, generation, functionId, mode + INLINE], args);
    if (allPrimitive(args)) return encodeJson(`[${slot},${generation},${functionId},${mode},${JSON.stringify(args)}]`);
  }
  cache.serialized ??= dumps(args, context, what);
  return encode([slot, generation, functionId, mode, cache.serialized], what);
}

export function encodeDefinition(functionId: number, referenceJson: string): Outgoing {
  return encodeJson(`[${DEFINE},${functionId},${referenceJson}]`);
}

/**
 * A map's items packed as float64s when they are all numbers and the chunks are long (else
 * null): one pass here, one block copied per chunk, and nothing per item for the collector.
 */
export function packNumbers(items: unknown[], chunksize: number): Float64Array | null {
  if (chunksize < BULK_NUMBERS || Object.getPrototypeOf(items) !== Array.prototype) return null;
  const packed = new Float64Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (typeof item !== 'number') return null;
    packed[i] = item;
  }
  return packed;
}

/** Worker side: a task's arguments (serialized ones rebuilt, their modules loaded first). */
export function argsOf(record: TaskRecord): TaskArgs | Promise<unknown[]> {
  if ((record[3] & INLINE) !== 0) return record[4] instanceof Float64Array ? record[4] : record.slice(4);
  const args = record[4];
  return args instanceof Uint8Array ? (loadsAsync(args, context) as Promise<unknown[]>) : (args as unknown[]);
}

/** Pool side: whether a result record is a success. */
export function succeeded(record: ResultRecord): boolean {
  return (record[2] & BASE) === OK;
}

/**
 * Pool side: a result record's value (or error state). A map chunk's numbers may stay packed
 * (`packed`: its caller reads them by index); a call's list arrives as a plain array.
 */
export function resultOf(record: ResultRecord, packed: boolean): unknown {
  if ((record[2] & INLINE) === 0) return record[4];
  const run = record[4];
  if (run instanceof Float64Array) return packed ? run : Array.from(run);
  return record.slice(4);
}

const context = createReduceContext('spawn');

/** `packed`: the value is a map chunk's results the worker packed (runChunk), not the user's own Float64Array. */
export function encodeResult(slot: number, generation: number, status: number, micros: number, value: unknown, packed = false): Outgoing {
  if (typeof value === 'number') return encodeNumbers([slot, generation, status, micros, value]);
  if (value === undefined) return encodeNumbers([slot, generation, status, micros]);
  if (packed) return encodeNumbers([slot, generation, status + INLINE, micros], value as Float64Array);
  if (numberList(value)) return encodeNumbers([slot, generation, status + INLINE, micros], value);
  if (isJsonPrimitive(value) || (Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype && allPrimitive(value))) {
    return encodeJson(`[${slot},${generation},${status},${micros},${JSON.stringify(value)}]`);
  }
  return encode([slot, generation, status, micros, value], 'the result of a pool task');
}
