/**
 * Pool (issue 5), side by side in the same run with Node's worker-pool libraries (piscina,
 * tinypool, workerpool, poolifier: devDependencies) and with CPython's multiprocessing.Pool
 * (bench/pool_bench.py, when python3 is present). Every pool has 2 workers unless said otherwise.
 *
 *   tiny tasks       square(i) submitted one by one, all in flight, then all awaited: tasks/s,
 *                    two such batches in a row: the first, and the next (the steady rate, with
 *                    the engine's heap and compiled code warm from the first), for every pool.
 *                    ours `pool.apply(square, [i])` ('spawn' and 'thread'), a Promise as each
 *                    peer's own submit gives; Python apply_async(…).get() and map(chunksize=1)
 *                                           goal: ours ≥ 5 × the best Node peer (the next batch)
 *   map              `await pool.map(square, items)`, 100k ints, default chunking, vs Python's
 *                    pool.map(square, range(100000)): items/s, the pool's first map and the
 *                    mean of the next 5                        goal ≥ 2 × Python (the next 5)
 *   CPU-bound        40 × a 20 ms busy-wait, 1 worker vs 2: speedup = t1 / t2   goal: ours ≥ 1.97
 *   start-up         constructing the pool → the first result of a trivial task: ms
 *
 * Pools are warmed up before the timed parts (every worker busy for a while, then 2000 tiny
 * tasks; the tiny tasks' first batch warms the next). The slower peers (tinypool, workerpool: ~10k tasks/s) get fewer tiny tasks, so the
 * run stays short; rates are reported. Task bodies are bench/fixtures/pool-targets.mjs's.
 *
 * The measuring runs in plain `node` (bench/fixtures/pool-measure.mjs, one process per
 * contender and round), as in bench/queues.ts: workers inherit their parent's Node options, and
 * under tsx every worker would load tsx. All sides run 3 times, alternating; each figure is the
 * median of its 3.
 *
 *   npx tsx bench/pool.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { medians, runIfMain } from './common.js';

const TINY = 100_000;
/** Tiny tasks for the slower peers. */
const TINY_SLOW = 20_000;
const MAP_ITEMS = 100_000;
const CPU_TASKS = 40;
const ROUNDS = 3;

const root = fileURLToPath(new URL('..', import.meta.url));

interface NodeFigures {
  startup_ms: number;
  tiny_first_s?: number;
  tiny_tasks_s?: number;
  map_first_items_s?: number;
  map_items_s?: number;
  cpu_1_ms?: number;
  cpu_2_ms?: number;
}

interface PythonFigures {
  startup_spawn_ms: number;
  startup_default_ms: number;
  apply_async_first_s: number;
  apply_async_tasks_s: number;
  map_chunk1_tasks_s: number;
  map_first_items_s: number;
  map_items_s: number;
  cpu_1_ms: number;
  cpu_2_ms: number;
}

interface Contender {
  id: string;
  label: string;
  tiny: number;
  map: number;
  cpu: number;
  /** npm package, for its version (peers). */
  pkg?: string;
}

const OURS: Contender[] = [
  { id: 'ours-spawn', label: "ours, 'spawn'", tiny: TINY, map: MAP_ITEMS, cpu: CPU_TASKS },
  { id: 'ours-thread', label: "ours, 'thread'", tiny: TINY, map: MAP_ITEMS, cpu: CPU_TASKS },
  { id: 'ours-forkserver', label: "ours, 'forkserver'", tiny: 0, map: 0, cpu: 0 },
];

const PEERS: Contender[] = [
  { id: 'piscina', label: 'piscina (threads)', pkg: 'piscina', tiny: TINY, map: 0, cpu: CPU_TASKS },
  { id: 'tinypool', label: 'tinypool (threads)', pkg: 'tinypool', tiny: TINY_SLOW, map: 0, cpu: CPU_TASKS },
  { id: 'workerpool', label: 'workerpool (default: threads)', pkg: 'workerpool', tiny: TINY_SLOW, map: 0, cpu: CPU_TASKS },
  { id: 'poolifier-thread', label: 'poolifier FixedThreadPool', pkg: 'poolifier', tiny: TINY, map: 0, cpu: CPU_TASKS },
  { id: 'poolifier-cluster', label: 'poolifier FixedClusterPool', pkg: 'poolifier', tiny: TINY, map: 0, cpu: CPU_TASKS },
];

function version(pkg: string): string | null {
  const path = `${root}node_modules/${pkg}/package.json`;
  if (!existsSync(path)) return null;
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

/** Whether dist/ exports Pool yet (it is being written; until then our side is skipped). */
function ourPoolAvailable(): boolean {
  const result = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', "const m = await import('multiprocessing-ts'); process.exit(typeof m.Pool === 'function' ? 0 : 1);"],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  return result.status === 0;
}

function measureNode(contender: Contender): NodeFigures {
  const script = fileURLToPath(new URL('./fixtures/pool-measure.mjs', import.meta.url));
  const args = [contender.id, contender.tiny, contender.map, contender.cpu].map(String);
  const result = spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  if (result.status !== 0) {
    throw new Error(
      `bench/fixtures/pool-measure.mjs ${args.join(' ')} failed (${result.error?.message ?? `status ${result.status}, ${result.signal}`}):\n${result.stderr}`,
    );
  }
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as NodeFigures;
}

function measurePython(): { figures: PythonFigures; startMethod: string } | null {
  const script = fileURLToPath(new URL('./pool_bench.py', import.meta.url));
  const result = spawnSync('python3', [script, String(TINY), String(MAP_ITEMS), String(CPU_TASKS)], { encoding: 'utf8', timeout: 180_000 });
  if (result.error !== undefined || result.status !== 0) {
    if (result.error === undefined || (result.error as NodeJS.ErrnoException).code !== 'ENOENT') {
      console.error(`bench/pool_bench.py failed (${result.error?.message ?? `status ${result.status}`}):\n${result.stderr}`);
    }
    return null;
  }
  const { start_method: startMethod, ...figures } = JSON.parse(result.stdout) as PythonFigures & { start_method: string };
  return { figures, startMethod };
}

function pad(text: string, width: number, left = false): string {
  return left ? text.padEnd(width) : text.padStart(width);
}

function rate(value: number | undefined): string {
  if (value === undefined) return '—';
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M/s`;
  if (value >= 1e5) return `${(value / 1e3).toFixed(0)}k/s`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k/s`;
  return `${value.toFixed(0)}/s`;
}

function ms(value: number | undefined): string {
  return value === undefined ? '—' : `${value.toFixed(value < 100 ? 1 : 0)} ms`;
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? '' : `${(a / b).toFixed(2)}×`;
}

function verdict(value: number | undefined, goal: number): string {
  return value === undefined ? '—' : `${value.toFixed(2)}× ${value >= goal ? 'met' : 'MISSED'}`;
}

function count(n: number): string {
  return n >= 1000 ? `${n / 1000}k` : String(n);
}

export async function main(): Promise<void> {
  const began = performance.now();
  const loadBefore = loadavg()[0];
  const oursAvailable = ourPoolAvailable();
  const peers = PEERS.filter((peer) => version(peer.pkg!) !== null);
  const contenders = [...(oursAvailable ? OURS : []), ...peers];
  const versions = [...new Set(peers.map((peer) => peer.pkg!))].map((pkg) => `${pkg} ${version(pkg)}`).join(', ');

  console.log('Pool: ours vs Node worker pools and CPython multiprocessing.Pool (2 workers each unless said otherwise)');
  console.log(`peers: ${versions || 'none installed'}; Node ${process.version}`);

  // Alternate the sides and keep each figure's median: the machine is shared and noisy, and a
  // burst of load must not land on one side only.
  const runs = new Map<string, NodeFigures[]>(contenders.map((c) => [c.id, []]));
  const pythonRuns: PythonFigures[] = [];
  let startMethod = 'fork';
  for (let round = 0; round < ROUNDS; round++) {
    const python = measurePython();
    if (python !== null) {
      pythonRuns.push(python.figures);
      startMethod = python.startMethod;
    }
    for (const contender of contenders) runs.get(contender.id)!.push(measureNode(contender));
  }
  const fig = new Map(contenders.map((c) => [c.id, medians(runs.get(c.id)!)]));
  const py = pythonRuns.length === 0 ? undefined : medians(pythonRuns);
  const spawn = fig.get('ours-spawn');
  const thread = fig.get('ours-thread');
  const W = 44;

  // 1. Tiny tasks.
  console.log(`\n1. tiny tasks: square(i) submitted one by one, all in flight, then awaited: tasks/s (a first batch, then the next)`);
  console.log(`${pad('', W, true)}${pad('tasks', 7)}${pad('first', 11)}${pad('next', 11)}${pad('spawn ÷', 9)}${pad('thread ÷', 10)}`);
  const tinyRows: [string, number, number | undefined, number | undefined][] = contenders
    .filter((c) => c.tiny > 0)
    .map((c) => [c.label, c.tiny, fig.get(c.id)!.tiny_first_s, fig.get(c.id)!.tiny_tasks_s]);
  if (py !== undefined) {
    tinyRows.push([`python Pool(2) apply_async + get ('${startMethod}')`, TINY, py.apply_async_first_s, py.apply_async_tasks_s]);
    tinyRows.push([`python Pool(2) map chunksize=1 ('${startMethod}')`, TINY, undefined, py.map_chunk1_tasks_s]);
  }
  for (const [label, n, first, next] of tinyRows) {
    console.log(
      pad(label, W, true) + pad(count(n), 7) + pad(rate(first), 11) + pad(rate(next), 11) +
        pad(ratio(spawn?.tiny_tasks_s, next), 9) + pad(ratio(thread?.tiny_tasks_s, next), 10),
    );
  }
  const best = (key: 'tiny_first_s' | 'tiny_tasks_s') =>
    peers.map((peer) => ({ peer, value: fig.get(peer.id)![key]! })).sort((a, b) => b.value - a.value)[0];
  const bestNext = best('tiny_tasks_s');
  const bestFirst = best('tiny_first_s');
  if (bestNext !== undefined && oursAvailable) {
    console.log(
      `goal: ours ≥ 5× the best Node peer, next batch (${bestNext.peer.label}, ${rate(bestNext.value)}): ` +
        `'spawn' ${verdict(spawn!.tiny_tasks_s! / bestNext.value, 5)}, 'thread' ${verdict(thread!.tiny_tasks_s! / bestNext.value, 5)}`,
    );
    console.log(
      `      first batch (${bestFirst.peer.label}, ${rate(bestFirst.value)}): ` +
        `'spawn' ${ratio(spawn!.tiny_first_s, bestFirst.value)}, 'thread' ${ratio(thread!.tiny_first_s, bestFirst.value)}`,
    );
  }

  // 2. map.
  console.log(
    `\n2. map: await pool.map(square, items), ${count(MAP_ITEMS)} ints, default chunking: items/s ` +
      `(the pool's first map, then the mean of the next 5)`,
  );
  console.log(`${pad('', W, true)}${pad('rate', 11)}${pad('python', 11)}${pad('ratio', 9)}  goal`);
  const mapRows: [string, number | undefined, number | undefined, boolean][] = [];
  if (oursAvailable) {
    for (const c of OURS.filter((o) => o.map > 0)) {
      mapRows.push([`${c.label}, first map`, fig.get(c.id)!.map_first_items_s, py?.map_first_items_s, false]);
      mapRows.push([`${c.label}, next 5`, fig.get(c.id)!.map_items_s, py?.map_items_s, true]);
    }
  }
  for (const [label, value, python, goal] of mapRows) {
    const r = python === undefined || value === undefined ? undefined : value / python;
    const verdictText = goal && r !== undefined ? `≥ 2× ${r >= 2 ? 'met' : 'MISSED'}` : '';
    console.log(pad(label, W, true) + pad(rate(value), 11) + pad(rate(python), 11) + pad(ratio(value, python), 9) + `  ${verdictText}`);
  }
  if (py !== undefined) {
    console.log(pad(`python pool.map(square, range(${count(MAP_ITEMS)})), first`, W, true) + pad(rate(py.map_first_items_s), 11));
    console.log(pad(`python pool.map(square, range(${count(MAP_ITEMS)})), next 5`, W, true) + pad(rate(py.map_items_s), 11));
  }

  // 3. CPU-bound.
  console.log(`\n3. CPU-bound: ${CPU_TASKS} × 20 ms busy-wait, all in flight: 1 worker vs 2 (speedup = t1 ÷ t2, ideal 2)`);
  console.log(`${pad('', W, true)}${pad('1 worker', 10)}${pad('2 workers', 11)}${pad('speedup', 9)}  goal`);
  const cpuRows: [string, number | undefined, number | undefined, boolean][] = contenders
    .filter((c) => c.cpu > 0)
    .map((c) => [c.label, fig.get(c.id)!.cpu_1_ms, fig.get(c.id)!.cpu_2_ms, c.id.startsWith('ours-')]);
  if (py !== undefined) cpuRows.push([`python Pool ('${startMethod}')`, py.cpu_1_ms, py.cpu_2_ms, false]);
  for (const [label, t1, t2, ours] of cpuRows) {
    const speedup = t1 === undefined || t2 === undefined ? undefined : t1 / t2;
    console.log(pad(label, W, true) + pad(ms(t1), 10) + pad(ms(t2), 11) + pad(ratio(t1, t2), 9) + (ours ? `  ≥ 1.97× ${speedup! >= 1.97 ? 'met' : 'MISSED'}` : ''));
  }

  // 4. Start-up.
  console.log('\n4. start-up: constructing a 2-worker pool → the first result of a trivial task');
  console.log(`${pad('', W, true)}${pad('ms', 10)}${pad('÷ python spawn', 16)}`);
  const startRows: [string, number][] = contenders.map((c) => [c.label, fig.get(c.id)!.startup_ms]);
  if (py !== undefined) {
    startRows.push(["python get_context('spawn').Pool(2)", py.startup_spawn_ms]);
    startRows.push([`python Pool(2) (default, '${startMethod}')`, py.startup_default_ms]);
  }
  for (const [label, value] of startRows) console.log(pad(label, W, true) + pad(ms(value), 10) + pad(ratio(value, py?.startup_spawn_ms), 16));

  if (!oursAvailable) console.log("\nours skipped: 'multiprocessing-ts' (dist/) exports no Pool yet; `npm run prepare` once src/pool lands.");
  if (peers.length < PEERS.length) console.log('some peers are not installed (npm install): skipped.');
  if (py === undefined) console.log('python3 not found or failed: Python rows skipped.');
  console.log(
    `\nTiny tasks: ${count(TINY)} each (tinypool, workerpool ${count(TINY_SLOW)}); map ${count(MAP_ITEMS)} items; ` +
      `medians of ${ROUNDS} alternating runs. Total ${((performance.now() - began) / 1000).toFixed(1)} s; ` +
      `load average (1 min) ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after.`,
  );
}

runIfMain(import.meta.url, main);
