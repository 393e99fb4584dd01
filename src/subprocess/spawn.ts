/**
 * Second step: start the child. A program that cannot be started is reported right away, as
 * Python's `Popen()` raises, with an error that names the program and what to check.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { FileNotFoundError, OSError, PermissionError } from './errors.js';
import type { Prepared } from './options.js';

function noop(): void {}

/** Spawns the prepared call. Throws `FileNotFoundError` / `PermissionError` / `OSError`. */
export function spawnChild(prepared: Prepared): ChildProcess {
  const child = spawn(prepared.file, prepared.argv, prepared.spawnOptions);
  if (child.pid === undefined) {
    // Node reports the failure on the next tick; the diagnosis below says more.
    child.once('error', noop);
    throw diagnoseSpawnFailure(prepared, undefined);
  }
  return child;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function interpreterOf(path: string): string | null {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(256);
      const n = readSync(fd, head, 0, head.length, 0);
      const line = head.subarray(0, n).toString('latin1').split('\n')[0];
      return line.startsWith('#!') ? line.slice(2).trim().split(/\s+/)[0] || null : null;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/**
 * Works out why `prepared` could not be started. `code` is the errno name when known
 * (`runSync` knows it); otherwise the file system is asked.
 */
export function diagnoseSpawnFailure(prepared: Prepared, code: string | undefined): OSError {
  const { file, cwd } = prepared;
  const what = prepared.shell && prepared.spawnOptions.argv0 === undefined ? 'shell' : 'program';
  if (cwd !== undefined) {
    let isDir = false;
    try {
      isDir = statSync(cwd).isDirectory();
    } catch {
      // Missing.
    }
    if (!isDir) {
      return new FileNotFoundError(
        'ENOENT',
        cwd,
        `Cannot run '${file}': the working directory '${cwd}' does not exist or is not a directory. Check the cwd option.`,
      );
    }
  }
  const base = cwd ?? process.cwd();
  if (file.includes('/')) {
    const path = isAbsolute(file) ? file : resolve(base, file);
    if (!isFile(path)) {
      return new FileNotFoundError('ENOENT', file, `Cannot run ${what} '${file}': no such file (looked for ${path}).`);
    }
    if (!isExecutable(path)) {
      return new PermissionError(
        'EACCES',
        file,
        `Cannot run ${what} '${file}': it is not executable. Make it executable (chmod +x) or run it through its interpreter.`,
      );
    }
    const interpreter = interpreterOf(path);
    if (interpreter !== null && !isExecutable(interpreter)) {
      return new FileNotFoundError(
        'ENOENT',
        file,
        `Cannot run ${what} '${file}': its interpreter '${interpreter}' (the #! line) was not found.`,
      );
    }
  } else {
    const pathVar = (prepared.env ?? process.env).PATH ?? '';
    const dirs = pathVar.split(delimiter).filter(Boolean);
    const found = dirs.map((dir) => resolve(base, join(dir, file))).find(isFile);
    if (found === undefined) {
      let hint = 'Check the spelling, install it, or pass its full path.';
      if (/\s/.test(file)) {
        hint = `A string is one program name without { shell: true }: pass a list such as ${JSON.stringify(file.split(/\s+/))}, or { shell: true } to run a command line.`;
      }
      return new FileNotFoundError(
        'ENOENT',
        file,
        `Cannot run ${what} '${file}': not found in PATH (${pathVar || 'PATH is empty'}). ${hint}`,
      );
    }
    if (!isExecutable(found)) {
      return new PermissionError('EACCES', file, `Cannot run ${what} '${file}': ${found} is not executable.`);
    }
  }
  const errno = code ?? 'EAGAIN';
  return new OSError(
    errno,
    file,
    `Cannot run ${what} '${file}' (${errno}): the system refused to start a process; too many processes or open files?`,
  );
}
