/**
 * Managers (G1–G3): this library's Manager() against CPython's multiprocessing.Manager() in the
 * same run (bench/managers_bench.py, when python3 is present). Both on 'spawn'.
 *
 *   start-up             Manager() → its first proxy (a dict): ms
 *   get / set            one `d['k']` / `d[i] = i` request after another: µs each
 *   queue                put then get 5000 items through a manager Queue: items/s
 *   locked increments    4 processes × 500 `with lock: v.value += 1` on a manager Value and
 *                        Lock (four requests each), from all started and connected (one request
 *                        each first) to all done: ms; then 4 × 5000, per increment (a fresh Node
 *                        process runs its first thousands of requests before the JIT has warmed up)
 *
 * Both sides run 3 times, alternating; each figure is the median of its 3. Ours measures in
 * plain `node` (bench/fixtures/managers-measure.mjs).
 *
 *   npx tsx bench/managers.ts
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { medians, runIfMain } from './common.js';

const ROUNDTRIPS = 5000;
const INCREMENTS = 500;
/** The same, long enough for our processes' JIT to warm up (Python's figure barely moves). */
const LONG_INCREMENTS = 5000;
const PROCESSES = 4;
const QUEUE_ITEMS = 5000;
const ROUNDS = 3;
const args = [ROUNDTRIPS, INCREMENTS, PROCESSES, QUEUE_ITEMS, LONG_INCREMENTS].map(String);

interface Figures {
  startup_ms: number;
  get_us: number;
  set_us: number;
  queue_items_s: number;
  increments_ms: number;
  long_increments_ms: number;
}

function measure(command: string, script: string): Figures | null {
  const result = spawnSync(command, [fileURLToPath(new URL(script, import.meta.url)), ...args], { encoding: 'utf8', timeout: 300_000 });
  if (result.error !== undefined && (result.error as NodeJS.ErrnoException).code === 'ENOENT') return null;
  if (result.status !== 0) throw new Error(`${script} failed (${result.error?.message ?? `status ${result.status}`}):\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as Figures;
}

export async function main(): Promise<void> {
  console.log("Managers: ours vs CPython's multiprocessing.Manager() (both 'spawn'; ratio = ours ÷ python)");
  const ours: Figures[] = [];
  const python: Figures[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const py = measure('python3', './managers_bench.py');
    if (py !== null) python.push(py);
    ours.push(measure(process.execPath, './fixtures/managers-measure.mjs')!);
  }
  const o = medians(ours);
  const p = python.length > 0 ? medians(python) : null;
  const row = (label: string, a: number, b: number | undefined, unit: string, lowerIsBetter = true): void => {
    const ratio = b === undefined ? '' : `${(a / b).toFixed(2)}×`;
    const better = b === undefined ? '' : (lowerIsBetter ? a <= b : a >= b) ? '' : '  (slower)';
    const f = (x: number): string => (x >= 1000 ? x.toFixed(0) : x.toFixed(x >= 100 ? 0 : 1));
    console.log(`${label.padEnd(46)}${`${f(a)} ${unit}`.padStart(14)}${(b === undefined ? '—' : `${f(b)} ${unit}`).padStart(14)}${ratio.padStart(9)}${better}`);
  };
  console.log(`${''.padEnd(46)}${'ours'.padStart(14)}${'python'.padStart(14)}${'ratio'.padStart(9)}`);
  row('start-up: Manager() → first proxy', o.startup_ms, p?.startup_ms, 'ms');
  row(`d['k'], one after another`, o.get_us, p?.get_us, 'µs');
  row(`d[i] = i, one after another`, o.set_us, p?.set_us, 'µs');
  row(`queue: put+get ${QUEUE_ITEMS} items`, o.queue_items_s, p?.queue_items_s, 'items/s', false);
  row(`${PROCESSES} × ${INCREMENTS} locked increments`, o.increments_ms, p?.increments_ms, 'ms');
  const per = (ms: number): number => (ms * 1000) / (PROCESSES * LONG_INCREMENTS);
  row(`${PROCESSES} × ${LONG_INCREMENTS} locked increments, each`, per(o.long_increments_ms), p === null ? undefined : per(p.long_increments_ms), 'µs');
  if (p === null) console.log('(python3 not found: our figures only)');
}

runIfMain(import.meta.url, main);
