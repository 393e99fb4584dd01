/** How a command and an exit status read in messages. */
import { constants } from 'node:os';
import type { Args } from './types.js';

const SAFE = /^[\w@%+=:,./-]+$/;

/** One argument as a POSIX shell would need it written (Python's `shlex.quote`). */
export function quoteArg(arg: string): string {
  if (arg !== '' && SAFE.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'"'"'`)}'`;
}

/** The command as a user would type it: a string as is, a list quoted where needed. */
export function formatCommand(args: Args): string {
  return typeof args === 'string' ? args : args.map(quoteArg).join(' ');
}

const signalNames = new Map<number, string>(
  Object.entries(constants.signals).map(([name, num]) => [num, name]),
);

/** `'SIGKILL'` for 9; `'signal 99'` for a number without a name. */
export function signalName(num: number): string {
  return signalNames.get(num) ?? `signal ${num}`;
}

/** The number of a signal given by name or number; throws TypeError for an unknown one. */
export function signalNumber(signal: NodeJS.Signals | number, what = 'signal'): number {
  if (typeof signal === 'number') {
    if (Number.isInteger(signal) && signal >= 0 && signal < 65) return signal;
  } else if (typeof signal === 'string') {
    const num = (constants.signals as Record<string, number | undefined>)[signal];
    if (num !== undefined) return num;
  }
  throw new TypeError(
    `${what} must be a signal name such as 'SIGTERM' or a signal number, got ${describe(signal)}.`,
  );
}

/** A short description of a value of the wrong type, for TypeError messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array (${JSON.stringify(value).slice(0, 60)})`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value).slice(0, 60)}`;
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${String(value)}`;
}
