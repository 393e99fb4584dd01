/**
 * Python's special values for `stdin` / `stdout` / `stderr`.
 *
 * They are unique symbols (Python uses the ints -1, -2, -3), so they can never be mistaken
 * for a file descriptor number and TypeScript can tell them apart in option types.
 */

/** Connect the stream to a pipe the parent reads or writes (`subprocess.PIPE`). */
export const PIPE: unique symbol = Symbol('subprocess.PIPE');
/** `stderr` only: send the child's stderr wherever its stdout goes (`subprocess.STDOUT`). */
export const STDOUT: unique symbol = Symbol('subprocess.STDOUT');
/** Connect the stream to `/dev/null` (`subprocess.DEVNULL`). */
export const DEVNULL: unique symbol = Symbol('subprocess.DEVNULL');

export type PIPE = typeof PIPE;
export type STDOUT = typeof STDOUT;
export type DEVNULL = typeof DEVNULL;
