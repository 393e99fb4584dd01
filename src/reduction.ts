/**
 * The one door for values crossing to another process or thread (CPython's reduction.py).
 *
 * Data crosses by structured clone (Map, Set, Date, BigInt, typed arrays, Errors, nesting and
 * cycles). Objects of a registered class cross as `{ type, state }` instead: the sender's
 * `reduce` turns the object into cloneable state, the receiver's `rebuild` turns that state
 * back into a working object (a lock, a queue end, a shared-memory view). Library modules
 * register their classes when they load; users may register their own.
 */
import v8 from 'node:v8';
import type { TransferListItem } from 'node:worker_threads';
import { SerializationError } from './errors.js';
import { HEADER_JSON, HEADER_PLAIN, HEADER_REDUCED, body, frame, frameJson, jsonExact, unframeJson } from './framing.js';
import type { StartMethod } from './start-methods.js';

/** What a reducer learns about the crossing it takes part in. */
export interface ReduceContext {
  /** How the receiver runs: another process (`'spawn'`) or another thread (`'thread'`). */
  readonly destination: StartMethod;
  /** Objects to transfer rather than copy (thread destinations only). */
  readonly transfer: TransferListItem[];
  /**
   * Undo actions for what `reduce` reserved on the receiver's behalf (a pipe end's holder
   * slot), run by the sender if the receiver is gone without having rebuilt the object (a
   * child killed during start-up). Each must be harmless if the receiver did rebuild it.
   */
  readonly unclaimed: (() => void)[];
}

export interface Reducer<T extends object, S> {
  /** Unique, stable name; namespaced by convention (`'multiprocessing-ts:Lock'`). */
  readonly type: string;
  /**
   * URL of the module that registers this reducer (its `import.meta.url`). A receiver that has
   * not loaded it yet imports it before rebuilding (see loadsAsync).
   */
  readonly module: string;
  /** Instances of this class (and subclasses) are reduced by this reducer. */
  readonly cls: abstract new (...args: never[]) => T;
  /** Sender side: the state the receiver needs. Must itself be cloneable (or reducible). */
  reduce(object: T, context: ReduceContext): S;
  /** Receiver side: a working object from that state. */
  rebuild(state: S, context: ReduceContext): T;
  /**
   * ES modules the receiver must have imported before `rebuild` (e.g. where a callback lives);
   * rebuild reads their namespaces with `importedModule(url)`.
   */
  imports?(state: S): string[];
}

type AnyReducer = Reducer<object, unknown>;

const byPrototype = new Map<object, AnyReducer>();
const byType = new Map<string, AnyReducer>();

/** Registers how instances of a class cross a process boundary (Python's `copyreg.pickle`). */
export function registerReducer<T extends object, S>(reducer: Reducer<T, S>): void {
  const existing = byType.get(reducer.type);
  if (existing !== undefined && existing.cls !== reducer.cls) {
    throw new TypeError(`A reducer for type "${reducer.type}" is already registered for another class`);
  }
  byType.set(reducer.type, reducer as unknown as AnyReducer);
  byPrototype.set(reducer.cls.prototype as object, reducer as unknown as AnyReducer);
}

// A key no user object carries, that survives structured clone.
const TAG = '\u0000multiprocessing-ts:reduced';
interface Box { [TAG]: string; module: string; state: unknown; imports?: string[] }

const importedModules = new Map<string, Record<string, unknown>>();

/** The namespace of a module imported for a reducer's `imports`, once loadsAsync has run. */
export function importedModule(url: string): Record<string, unknown> | undefined {
  return importedModules.get(url);
}

function reducerFor(value: object): AnyReducer | undefined {
  if (byPrototype.size === 0) return undefined;
  for (let proto = Object.getPrototypeOf(value); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const reducer = byPrototype.get(proto);
    if (reducer !== undefined) return reducer;
  }
  return undefined;
}

/** Leaves of the walk: structured clone copies them whole and nothing reducible hides inside. */
function isOpaque(value: object): boolean {
  return (
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer ||
    value instanceof SharedArrayBuffer ||
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof Error ||
    value instanceof Boolean ||
    value instanceof Number ||
    value instanceof String
  );
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'symbol') return value.toString();
  return Object.prototype.toString.call(value);
}

function uncloneable(path: string, value: unknown): SerializationError {
  const hint =
    typeof value === 'function'
      ? 'Functions do not travel as data; pass a module-level exported function as a target instead.'
      : 'Send plain data (objects, arrays, Map, Set, Date, BigInt, typed arrays, Errors) or a library object.';
  return new SerializationError(`${path} (${describe(value)}) cannot be sent to another process: ${hint}`);
}

/** Does the value contain anything that needs the reducing walk (or cannot be cloned)? */
function needsWalk(value: unknown, seen: Set<object>): boolean {
  if (typeof value === 'function' || typeof value === 'symbol') return true;
  if (typeof value !== 'object' || value === null || seen.has(value) || isOpaque(value)) return false;
  seen.add(value);
  if (reducerFor(value) !== undefined) return true;
  if (value instanceof Map) {
    for (const [k, v] of value) if (needsWalk(k, seen) || needsWalk(v, seen)) return true;
    return false;
  }
  if (value instanceof Set) {
    for (const v of value) if (needsWalk(v, seen)) return true;
    return false;
  }
  if (Array.isArray(value)) {
    for (const v of value) if (needsWalk(v, seen)) return true;
    return false;
  }
  for (const v of Object.values(value)) if (needsWalk(v, seen)) return true;
  return false;
}

function reduceWalk(value: unknown, path: string, context: ReduceContext, memo: Map<object, unknown>): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') throw uncloneable(path, value);
  if (typeof value !== 'object' || value === null || isOpaque(value)) return value;
  if (memo.has(value)) return memo.get(value);
  const reducer = reducerFor(value);
  if (reducer !== undefined) {
    const box: Box = { [TAG]: reducer.type, module: reducer.module, state: undefined };
    memo.set(value, box);
    const state = reducer.reduce(value, context);
    const imports = reducer.imports?.(state);
    if (imports !== undefined && imports.length > 0) box.imports = imports;
    box.state = reduceWalk(state, `${path}<${reducer.type}>`, context, memo);
    return box;
  }
  if (value instanceof Map) {
    const out = new Map();
    memo.set(value, out);
    for (const [k, v] of value) {
      out.set(reduceWalk(k, `${path}.key`, context, memo), reduceWalk(v, `${path}.get(${String(k)})`, context, memo));
    }
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    memo.set(value, out);
    for (const v of value) out.add(reduceWalk(v, `${path}.item`, context, memo));
    return out;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    memo.set(value, out);
    for (let i = 0; i < value.length; i++) out[i] = reduceWalk(value[i], `${path}[${i}]`, context, memo);
    return out;
  }
  const out: Record<string, unknown> = {};
  memo.set(value, out);
  for (const [k, v] of Object.entries(value)) out[k] = reduceWalk(v, `${path}.${k}`, context, memo);
  return out;
}

function rebuildWalk(value: unknown, context: ReduceContext, seen: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null || isOpaque(value)) return value;
  if (seen.has(value)) return seen.get(value);
  if (TAG in value) {
    const type = (value as Box)[TAG];
    const reducer = byType.get(type);
    if (reducer === undefined) {
      throw new SerializationError(
        `Received an object of type "${type}" but no reducer for it is registered here: ` +
          'import the module that defines it (and registers its reducer) in the receiving process.',
      );
    }
    // Placeholder guards against cycles through the state; rebuilt objects replace it.
    seen.set(value, undefined);
    const rebuilt = reducer.rebuild(rebuildWalk((value as Box).state, context, seen), context);
    seen.set(value, rebuilt);
    return rebuilt;
  }
  seen.set(value, value);
  if (value instanceof Map) {
    const entries = [...value];
    value.clear();
    for (const [k, v] of entries) value.set(rebuildWalk(k, context, seen), rebuildWalk(v, context, seen));
  } else if (value instanceof Set) {
    const items = [...value];
    value.clear();
    for (const v of items) value.add(rebuildWalk(v, context, seen));
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = rebuildWalk(value[i], context, seen);
  } else {
    const record = value as Record<string, unknown>;
    for (const k of Object.keys(record)) record[k] = rebuildWalk(record[k], context, seen);
  }
  return value;
}

/** Whether a value holds library objects or functions (anything a reducer must handle). */
export function needsReducing(value: unknown): boolean {
  return needsWalk(value, new Set());
}

export function createReduceContext(destination: StartMethod): ReduceContext {
  return { destination, transfer: [], unclaimed: [] };
}

/**
 * Serializes a value for another process or thread. `what` names the value in error messages
 * (e.g. `"args of Process-1"`).
 */
export function dumps(value: unknown, context: ReduceContext, what = 'value'): Buffer {
  let header = HEADER_PLAIN;
  let payload = value;
  if (needsWalk(value, new Set())) {
    payload = reduceWalk(value, what, context, new Map());
    header = HEADER_REDUCED;
  } else if (jsonExact(value)) {
    return frameJson(value); // small plain data: a child decodes it without node:v8
  }
  let body: Buffer;
  try {
    body = v8.serialize(payload);
  } catch (error) {
    throw new SerializationError(`${what} cannot be sent to another process: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
  return frame(header, body);
}

function decode(bytes: Uint8Array): unknown {
  return bytes[0] === HEADER_JSON ? unframeJson(bytes) : v8.deserialize(body(bytes));
}

/** Inverse of `dumps`, in the receiver. Every reducer involved must be registered already. */
export function loads(bytes: Uint8Array, context: ReduceContext): unknown {
  const value = decode(bytes);
  return bytes[0] === HEADER_REDUCED ? rebuildWalk(value, context, new Map()) : value;
}

/** Modules named in a deserialized value (reducers', their imports) not loaded here yet. */
function missingModules(value: unknown, seen: Set<object>, out: Set<string>): Set<string> {
  if (typeof value !== 'object' || value === null || seen.has(value) || isOpaque(value)) return out;
  seen.add(value);
  if (TAG in value) {
    const box = value as Box;
    if (!byType.has(box[TAG])) out.add(box.module);
    for (const url of box.imports ?? []) if (!importedModules.has(url)) out.add(url);
  }
  const children = value instanceof Map ? [...value.keys(), ...value.values()] : value instanceof Set ? [...value] : Object.values(value);
  for (const child of children) missingModules(child, seen, out);
  return out;
}

/** Like `loads`, first importing the modules of reducers not yet registered here. */
export async function loadsAsync(bytes: Uint8Array, context: ReduceContext): Promise<unknown> {
  const value = decode(bytes);
  if (bytes[0] !== HEADER_REDUCED) return value;
  await Promise.all(
    [...missingModules(value, new Set(), new Set())].map(async (url) => {
      importedModules.set(url, (await import(url)) as Record<string, unknown>);
    }),
  );
  return rebuildWalk(value, context, new Map());
}
