/** Stream plumbing between the child's pipes and what the caller sees. */
import type { ChildProcess } from 'node:child_process';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { Prepared } from './options.js';

function noop(): void {}

/** The streams a `Popen` exposes, and when the output piped to the caller's streams has ended. */
export interface Wired {
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  piped: Promise<void>;
}

/**
 * Connects the child's pipes: exposes those that are `PIPE`, merges stderr into stdout for
 * `STDOUT`, and pipes to and from caller streams that have no file descriptor (those are left
 * open at the end, as Python leaves files open).
 */
export function wireStreams(child: ChildProcess, prepared: Prepared): Wired {
  const { pipes, stdinFrom, stdoutTo, stderrTo, mergeStderr } = prepared;
  if (stdinFrom && child.stdin) {
    child.stdin.on('error', noop);
    stdinFrom.pipe(child.stdin);
  }
  const ends: Promise<void>[] = [];
  const pipeTo = (source: Readable | null, target: Writable): void => {
    if (!source) return;
    ends.push(new Promise((resolve) => source.once('end', resolve).once('close', resolve)));
    source.pipe(target, { end: false });
  };
  let stdout: Readable | null = pipes.stdout ? child.stdout : null;
  if (mergeStderr) {
    if (stdoutTo) {
      pipeTo(child.stdout, stdoutTo);
      pipeTo(child.stderr, stdoutTo);
    } else {
      stdout = merge(child.stdout, child.stderr);
    }
  } else {
    if (stdoutTo) pipeTo(child.stdout, stdoutTo);
    if (stderrTo) pipeTo(child.stderr, stderrTo);
  }
  return {
    stdin: pipes.stdin ? child.stdin : null,
    stdout,
    stderr: pipes.stderr ? child.stderr : null,
    piped: Promise.all(ends).then(noop),
  };
}

/** One readable stream of two, ending when both have. */
export function merge(a: Readable | null, b: Readable | null): Readable {
  const out = new PassThrough();
  const sources = [a, b].filter((s): s is Readable => s !== null);
  let open = sources.length;
  if (open === 0) out.end();
  // A reader that gives up (lines() left early) closes the child's pipes too.
  out.once('close', () => {
    for (const source of sources) source.destroy();
  });
  for (const source of sources) {
    source.pipe(out, { end: false });
    source.once('end', () => {
      if (--open === 0) out.end();
    });
    source.once('close', () => {
      if (!source.readableEnded && --open === 0) out.end();
    });
  }
  return out;
}
