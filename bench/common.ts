/** What every benchmark script shares: medians, and running main() when invoked directly. */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Each figure's median over the runs. */
export function medians<T extends object>(runs: T[]): T {
  const keys = Object.keys(runs[0]) as (keyof T)[];
  return Object.fromEntries(keys.map((key) => [key, median(runs.map((run) => run[key] as number))])) as T;
}

/** Runs `main` if the module at `url` is the script node was started with (not imported by bench/index.ts). */
export function runIfMain(url: string, main: () => Promise<void>): void {
  const script = process.argv[1];
  if (script === undefined) return;
  let invoked: string;
  try {
    invoked = pathToFileURL(realpathSync(script)).href;
  } catch {
    return;
  }
  if (invoked !== url) return;
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
