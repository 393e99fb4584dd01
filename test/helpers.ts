// Shared test helpers: temp files, reading what a child reported, running driver scripts.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';

export const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

export function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mp-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function readReport<T = unknown>(file: string): T {
  return v8.deserialize(readFileSync(file)) as T;
}

export function exists(file: string): boolean {
  return existsSync(file);
}

export interface DriverResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript driver script in a fresh Node.js process, as a user would. */
/** Runs a fixture program under tsx; `nodeFlags` go before it (they become its execArgv). */
export function runDriver(script: string, args: string[] = [], timeout = 30_000, nodeFlags: string[] = []): Promise<DriverResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeFlags, '--import', 'tsx', join(fixtures, script), ...args],
      { timeout, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
        resolve({
          code: e === null ? 0 : typeof e.code === 'number' ? e.code : null,
          signal: e?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** Dead, or a zombie nobody reaped (PID 1 here may not reap). */
export function isDead(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` holds or `ms` passes. */
export async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await sleep(20);
  }
  return check();
}
