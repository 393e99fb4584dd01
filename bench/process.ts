/**
 * Process start+join latency of a no-op child, side by side with what it is built on:
 *
 *   (a) `node noop.mjs`           plain Node starting the module that holds the target (baseline)
 *   (b) `node -e 0`               plain Node start-up, for reference
 *   (c) Process 'spawn'           our child process running `noop` from that module
 *   (d) `new Worker(noop.mjs)`    a plain worker thread loading the module (baseline)
 *   (e) Process 'thread'          our worker thread running `noop`
 *   (f) Process 'forkserver'      a child booted ahead of time running `noop` (warm start)
 *
 * Goals (issue 2): (c) ≤ 1.1 × (a) and (e) ≤ 1.1 × (d), by median; stretch: (f) under 10 ms.
 *
 *   npx tsx bench/process.ts [--iterations N]
 *
 * The measuring runs in a plain `node` (bench/fixtures/latency.mjs): a library child inherits its
 * parent's Node options, so measured from this tsx-run process every child would load tsx too,
 * which is what compiled-JavaScript users never pay. A second, shorter run measures exactly that
 * case — the parent under tsx, baselines given the same options — for information.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runIfMain } from './common.js';

const latencyScript = fileURLToPath(new URL('./fixtures/latency.mjs', import.meta.url));

interface Measured {
  nodeOptions: string[];
  first: Record<string, number>;
  samples: Record<string, number[]>;
}

interface Row {
  label: string;
  variant: string;
  baseline?: string;
  goal?: number;
  /** An absolute goal for the median, in ms (the warm-start stretch goal). */
  goalMs?: number;
}

const rows: Row[] = [
  { label: '(a)', variant: 'node noop.mjs' },
  { label: '(b)', variant: 'node -e 0' },
  { label: '(c)', variant: "Process 'spawn'", baseline: 'node noop.mjs', goal: 1.1 },
  { label: '(d)', variant: 'new Worker(noop.mjs)' },
  { label: '(e)', variant: "Process 'thread'", baseline: 'new Worker(noop.mjs)', goal: 1.1 },
  { label: '(f)', variant: "Process 'forkserver'", baseline: 'node noop.mjs', goalMs: 10 },
];

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function stats(samples: number[]): { median: number; p90: number; min: number } {
  const sorted = [...samples].sort((x, y) => x - y);
  return { median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), min: sorted[0] ?? Number.NaN };
}

/** Runs the measuring script in `node <nodeOptions>` and returns what it measured. */
function measure(nodeOptions: string[], iterations: number, warmup: number): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeOptions, latencyScript, String(iterations), String(warmup)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${latencyScript} exited with code ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as Measured);
      } catch (error) {
        reject(new Error(`could not parse the measurement: ${(error as Error).message}\n${out}`));
      }
    });
  });
}

const fmt = (ms: number): string => ms.toFixed(1);

/** The table as text; returns also whether every goal was met. */
export function report(title: string, measured: Measured): { text: string; met: boolean } {
  const n = Object.values(measured.samples)[0]?.length ?? 0;
  const header = ['', 'variant', 'median ms', 'p90 ms', 'min ms', 'first ms', 'ratio (median)', 'goal'];
  const table: string[][] = [header];
  let met = true;
  for (const row of rows) {
    const s = stats(measured.samples[row.variant] ?? []);
    let ratio = '';
    let goal = '';
    if (row.baseline !== undefined && row.goal !== undefined) {
      const base = stats(measured.samples[row.baseline] ?? []);
      const r = s.median / base.median;
      const label = row.baseline === 'node noop.mjs' ? '(a)' : '(d)';
      ratio = `${r.toFixed(2)}× ${label}`;
      goal = `≤ ${row.goal}× ${r <= row.goal ? 'met' : 'MISSED'}`;
      if (!(r <= row.goal)) met = false;
    } else if (row.baseline !== undefined && row.goalMs !== undefined) {
      const base = stats(measured.samples[row.baseline] ?? []);
      ratio = `${(s.median / base.median).toFixed(2)}× (a)`;
      goal = `< ${row.goalMs} ms ${s.median < row.goalMs ? 'met' : 'MISSED'} (stretch)`;
    }
    const first = measured.first[row.variant];
    table.push([row.label, row.variant, fmt(s.median), fmt(s.p90), fmt(s.min), first === undefined ? '' : fmt(first), ratio, goal]);
  }
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const line = (r: string[]): string =>
    r.map((cell, i) => (i >= 2 && i <= 5 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  const options = measured.nodeOptions.length === 0 ? '(none)' : measured.nodeOptions.join(' ');
  const text = [
    `${title}: ${n} iterations each, interleaved; Node options of parent and children: ${options}`,
    line(table[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...table.slice(1).map(line),
  ].join('\n');
  return { text, met };
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const at = argv.indexOf('--iterations');
  const iterations = at >= 0 ? Number(argv[at + 1]) : 30;
  if (!Number.isInteger(iterations) || iterations < 1) throw new TypeError('--iterations needs a positive integer');

  console.log(`# Process start+join latency (Node ${process.version}, ${process.platform}/${process.arch})\n`);
  const plain = await measure([], iterations, 3);
  const main = report('Compiled JavaScript (plain node)', plain);
  console.log(main.text);
  console.log(
    main.met
      ? '\nGoals met: spawn ≤ 1.1× plain node start-up, thread ≤ 1.1× plain Worker start.'
      : '\nGoal MISSED: see the ratio column (spawn against (a), thread against (d)).',
  );

  // The same from a parent run by tsx: children inherit its loader, baselines get the same options.
  if (process.execArgv.length > 0) {
    const underTsx = await measure(process.execArgv, Math.max(3, Math.round(iterations / 5)), 1);
    console.log(`\n${report('For information, TypeScript run by tsx', underTsx).text}`);
    console.log(
      'Under tsx every child process pays for loading tsx. On Node 20 a plain Worker does not get tsx\'s\n' +
        'hooks (tsx registers them on the main thread only) while a library thread replays them so it can\n' +
        'import TypeScript, so there (e) does more work than (d).',
    );
  }
}

runIfMain(import.meta.url, main);
