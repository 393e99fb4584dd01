/**
 * Shared memory and locks (issue 3), side by side with CPython's multiprocessing in the same run
 * (bench/sync_bench.py, when python3 is present):
 *
 *   uncontended Lock        ns per acquire+release pair in one process     goal ≤ 0.5 × Python
 *   2 × 100k increments     `with v.get_lock(): v.value += 1` in 2 processes,
 *                           the increments alone (children started and waiting before the clock),
 *                           median of 3 runs on both sides
 *                                                                          goal ≤ 0.2 × Python
 *   Event wake-up           one-way set → wait latency between two processes (ping-pong / 2)
 *                                                                          goal ≤ 0.6 × Python
 *   Array sum               a child summing a shared Array('d', 1e6), timed inside the child
 *
 * Python's waits block their thread, so the like-for-like figures use the Sync forms; the
 * Promise forms (event loop free) are printed alongside for information.
 *
 * The measuring runs in plain `node` (bench/fixtures/sync-measure.mjs), as in bench/process.ts.
 * Both sides run 3 times, alternating; each figure is the median of its 3.
 *
 *   npx tsx bench/sync.ts
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { medians, runIfMain } from './common.js';

const LOCK_ITERATIONS = 1_000_000;
const INCREMENTS = 100_000;
const EVENT_ROUNDS = 2000;

interface PythonFigures {
  lock_ns: number;
  lock_with_ns: number;
  increments_work_ms: number;
  event_wake_us: number;
  array_sum_ms: number;
}

interface OurFigures {
  lock_ns: number;
  lock_with_ns: number;
  lock_async_ns: number;
  increments_spawn_ms: number;
  increments_thread_ms: number;
  event_spawn_us: number;
  event_spawn_async_us: number;
  event_thread_us: number;
  array_sum_view_ms: number;
  array_sum_indexed_ms: number;
}

const args = [String(LOCK_ITERATIONS), String(INCREMENTS), String(EVENT_ROUNDS)];
const ROUNDS = 3;

function measureOurs(): OurFigures {
  const script = fileURLToPath(new URL('./fixtures/sync-measure.mjs', import.meta.url));
  const result = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`bench/fixtures/sync-measure.mjs failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as OurFigures;
}

function measurePython(): PythonFigures | null {
  const script = fileURLToPath(new URL('./sync_bench.py', import.meta.url));
  const result = spawnSync('python3', [script, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.error !== undefined || result.status !== 0) return null;
  return JSON.parse(result.stdout) as PythonFigures;
}

function pad(text: string, width: number, left = false): string {
  return left ? text.padEnd(width) : text.padStart(width);
}

interface Row {
  label: string;
  ours: number;
  python?: number;
  unit: string;
  goal?: number;
}

function print(rows: Row[]): void {
  console.log(`${pad('', 46, true)}${pad('ours', 11)}${pad('python', 11)}${pad('ratio', 8)}  goal`);
  for (const row of rows) {
    const ratio = row.python === undefined ? undefined : row.ours / row.python;
    const verdict = row.goal === undefined || ratio === undefined ? '' : `≤ ${row.goal}× ${ratio <= row.goal ? 'met' : 'MISSED'}`;
    console.log(
      pad(row.label, 46, true) +
        pad(`${row.ours.toFixed(row.ours < 100 ? 2 : 0)} ${row.unit}`, 11) +
        pad(row.python === undefined ? '—' : `${row.python.toFixed(row.python < 100 ? 2 : 0)} ${row.unit}`, 11) +
        pad(ratio === undefined ? '' : `${ratio.toFixed(2)}×`, 8) +
        `  ${verdict}`,
    );
  }
}

export async function main(): Promise<void> {
  console.log('Shared memory and locks: ours vs CPython multiprocessing (ratio = ours ÷ python, lower is faster)');
  // Alternate the two sides and keep each figure's median: the machine is shared and noisy,
  // and a burst of load must not land on one side only.
  const pythonRuns: PythonFigures[] = [];
  const ourRuns: OurFigures[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const python = measurePython();
    if (python !== null) pythonRuns.push(python);
    ourRuns.push(measureOurs());
  }
  const python = pythonRuns.length === 0 ? null : medians(pythonRuns);
  const ours = medians(ourRuns);
  print([
    { label: 'Lock acquireSync()+release()', ours: ours.lock_ns, python: python?.lock_ns, unit: 'ns', goal: 0.5 },
    { label: 'Lock withLockSync(fn) vs `with lock: pass`', ours: ours.lock_with_ns, python: python?.lock_with_ns, unit: 'ns' },
    { label: 'Lock await acquire()+release() (Promise)', ours: ours.lock_async_ns, python: python?.lock_ns, unit: 'ns' },
    { label: "2 × 100k locked increments, 'spawn'", ours: ours.increments_spawn_ms, python: python?.increments_work_ms, unit: 'ms', goal: 0.2 },
    { label: "2 × 100k locked increments, 'thread'", ours: ours.increments_thread_ms, python: python?.increments_work_ms, unit: 'ms' },
    { label: "Event wake-up, waitSync, 'spawn'", ours: ours.event_spawn_us, python: python?.event_wake_us, unit: 'µs', goal: 0.6 },
    { label: "Event wake-up, await wait(), 'spawn'", ours: ours.event_spawn_async_us, python: python?.event_wake_us, unit: 'µs' },
    { label: "Event wake-up, waitSync, 'thread'", ours: ours.event_thread_us, python: python?.event_wake_us, unit: 'µs' },
    { label: "child sums Array('d', 1e6) via getObj()", ours: ours.array_sum_view_ms, python: python?.array_sum_ms, unit: 'ms' },
    { label: "child sums Array('d', 1e6) via a[i]", ours: ours.array_sum_indexed_ms, python: python?.array_sum_ms, unit: 'ms' },
  ]);
  if (python === null) console.log('python3 not found or failed: Python column skipped.');
}

runIfMain(import.meta.url, main);
