// Helpers for the shared-memory tests: names this test file created, /dev/shm and memfd checks,
// driver processes the test kills.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { SharedMemory } from 'multiprocessing-ts';
import { fixtures } from '../helpers.ts';

export function shmPath(name: string): string {
  return `/dev/shm/${name}`;
}

/** Names of the segments this test file (its children and drivers included) created. */
const created = new Set<string>();

export function note(name: string): string {
  created.add(name);
  return name;
}

/** A fresh explicit name, starting with mpts_ like the automatic ones. */
export function uniqueName(tag: string): string {
  return note(`mpts_test_${process.pid}_${tag}_${randomBytes(4).toString('hex')}`);
}

/** Those of our names still in /dev/shm. */
export function leftovers(): string[] {
  return [...created].filter((name) => existsSync(shmPath(name)));
}

/** Unlinks `memory` after the test unless the test did. */
export function cleanup(t: { after(fn: () => void): void }, memory: SharedMemory): SharedMemory {
  note(memory.name);
  t.after(() => {
    try {
      memory.unlink();
    } catch {
      // unlinked by the test already
    }
  });
  return memory;
}

/** How many memfd arenas of this library the process has open. */
export function memfdCount(): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('/memfd:multiprocessing-ts')) count++;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

export interface Driver {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a driver script the test will kill; it is SIGKILLed after the test in any case. */
export function startDriver(t: { after(fn: () => void): void }, script: string, args: string[] = []): Driver {
  const child = spawn(process.execPath, ['--import', 'tsx', join(fixtures, script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}
