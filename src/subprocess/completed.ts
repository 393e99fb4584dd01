/** `CompletedProcess`: what `run()` returns. */
import { CalledProcessError } from './errors.js';
import type { Args, Output } from './types.js';

/** A finished command (Python's `CompletedProcess`). */
export class CompletedProcess<TOut extends Output = Output, TErr extends Output = TOut> {
  /** The command as given. */
  readonly args: Args;
  /** The exit status; `-N` when killed by signal N. */
  readonly returncode: number;
  /** Captured stdout (a string in text mode, else a Buffer); `null` when not captured. */
  readonly stdout: TOut;
  /** Captured stderr; `null` when not captured (or merged into stdout). */
  readonly stderr: TErr;
  readonly #shell: boolean;

  constructor(args: Args, returncode: number, stdout: TOut, stderr: TErr, shell = false) {
    this.args = args;
    this.returncode = returncode;
    this.stdout = stdout;
    this.stderr = stderr;
    this.#shell = shell;
  }

  /** Throws `CalledProcessError` if `returncode` is not 0; returns this process otherwise. */
  checkReturncode(): this {
    if (this.returncode !== 0) {
      throw new CalledProcessError(this.returncode, this.args, this.stdout, this.stderr, this.#shell);
    }
    return this;
  }
}
