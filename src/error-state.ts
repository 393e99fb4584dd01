/**
 * Errors as data, for whatever carries them to another process (pool results, manager
 * replies): structured clone keeps only the message and stack of built-in errors, so the
 * name, the `code`, other simple own properties and the cause go along explicitly, and the
 * receiver rebuilds the same class where it knows it.
 */
import * as libraryErrors from './errors.js';

const ERROR = '\u0000multiprocessing-ts:error';

interface ErrorState {
  [ERROR]: true;
  name: string;
  message: string;
  stack: string | undefined;
  props: Record<string, unknown>;
  cause?: unknown;
}

function cloneable(value: unknown): boolean {
  const type = typeof value;
  return value === null || type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint' || type === 'undefined';
}

/**
 * An error as data: structured clone keeps only the message and stack of built-in errors, so
 * the name, the `code` and other simple own properties, and the cause, go along explicitly.
 */
export function errorState(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return cloneable(error) ? error : String(error);
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) if (cloneable(value)) props[key] = value;
  const state: ErrorState = { [ERROR]: true, name: error.name, message: error.message, stack: error.stack, props };
  if (error.cause !== undefined && depth < 8) state.cause = errorState(error.cause, depth + 1);
  return state;
}

const builtins: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  ReferenceError,
  SyntaxError,
  EvalError,
  URIError,
};

/** The library's own error classes by name (Empty, SerializationError…), rebuilt as such. */
const library = new Map<string, new (...args: never[]) => Error>(
  Object.entries(libraryErrors).filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error) as [string, new (...args: never[]) => Error][],
);

/**
 * The error again, in the pool's process: the same class for built-in and library errors
 * (made without running their constructors), else an Error with that name; message, remote
 * stack, code and cause as they were.
 */
export function errorFrom(state: unknown): unknown {
  if (typeof state !== 'object' || state === null || !(ERROR in state)) return state;
  const s = state as ErrorState;
  const cause = s.cause === undefined ? undefined : { cause: errorFrom(s.cause) };
  const own = library.get(s.name);
  let error: Error;
  if (own !== undefined) {
    error = Object.create(own.prototype) as Error;
    Object.defineProperty(error, 'message', { value: s.message, configurable: true, writable: true });
    if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause.cause, configurable: true, writable: true });
  } else {
    error = new (builtins[s.name] ?? Error)(s.message, cause);
  }
  if (error.name !== s.name) Object.defineProperty(error, 'name', { value: s.name, configurable: true, writable: true });
  Object.assign(error, s.props);
  if (s.stack !== undefined) Object.defineProperty(error, 'stack', { value: s.stack, configurable: true, writable: true });
  return error;
}
