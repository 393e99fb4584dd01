// Shared helpers of the subprocess tests (not a test file itself).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether `pid` is a live process (a zombie counts as dead: PID 1 here may not reap). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Waits until none of `pids` is alive, at most `ms`; returns those still alive. */
export async function waitDead(pids: number[], ms = 1000): Promise<number[]> {
  const end = Date.now() + ms;
  for (;;) {
    const left = pids.filter(alive);
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until `file` holds at least `count` lines of pids. */
export async function readPids(file: string, count: number, ms = 5000): Promise<number[]> {
  const end = Date.now() + ms;
  for (;;) {
    let pids: number[] = [];
    try {
      pids = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      // Not yet written.
    }
    if (pids.length >= count || Date.now() > end) return pids;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Kills whatever is left of `pids` (test cleanup). */
export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
}

/** A temporary directory, removed by the returned function. */
export function tempDir(): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mpts-subprocess-'));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The path of a fixture script. */
export function fixture(name: string): string {
  return new URL(`./fixtures/${name}`, import.meta.url).pathname;
}
