// Benchmark of multiprocessing-ts/subprocess against execa 9 and Python's subprocess, in one run:
// spawn-to-exit latency (/bin/true, and `echo hello` with text output) and 100 MB pipe
// throughput (stdin → cat → stdout). Run: `npx tsx bench/subprocess.ts` (after a build).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, runIfMain } from './common.js';
import { execa } from 'execa';
import { run } from 'multiprocessing-ts/subprocess';

const ITERATIONS = 300;
const PIPE_MB = 100;
const PIPE_RUNS = 3;

interface Figures {
  spawnMs: number;
  echoMs: number;
  pipeMbS: number;
}

interface Contender {
  name: string;
  spawn: () => Promise<unknown>;
  echo: () => Promise<string>;
  pipe: (data: Buffer) => Promise<number>;
}

const contenders: Contender[] = [
  {
    name: 'multiprocessing-ts',
    spawn: () => run(['/bin/true'], { captureOutput: true }),
    echo: async () => (await run(['echo', 'hello'], { captureOutput: true, text: true })).stdout,
    pipe: async (data) => (await run(['cat'], { input: data, captureOutput: true })).stdout.length,
  },
  {
    name: 'execa 9',
    spawn: () => execa('/bin/true'),
    echo: async () => (await execa('echo', ['hello'], { stripFinalNewline: false })).stdout,
    pipe: async (data) =>
      (await execa('cat', { input: data, encoding: 'buffer', maxBuffer: Infinity })).stdout.length,
  },
];

async function perCallMs(fn: () => Promise<unknown>, n: number): Promise<number> {
  for (let i = 0; i < Math.max(5, n / 10); i++) await fn();
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - start) / n;
}

/**
 * Latency first, for every contender, before the 100 MB buffers exist: libuv starts children
 * with fork(), whose cost grows with this process's memory, so the order matters.
 */
async function measureLatency(c: Contender): Promise<Pick<Figures, 'spawnMs' | 'echoMs'>> {
  if ((await c.echo()) !== 'hello\n') throw new Error(`${c.name}: echo gave the wrong output`);
  return { spawnMs: await perCallMs(c.spawn, ITERATIONS), echoMs: await perCallMs(c.echo, ITERATIONS) };
}

async function measurePipe(c: Contender, data: Buffer): Promise<number> {
  const rates: number[] = [];
  for (let i = 0; i < PIPE_RUNS; i++) {
    const start = performance.now();
    const length = await c.pipe(data);
    const seconds = (performance.now() - start) / 1000;
    if (length !== data.length) throw new Error(`${c.name}: cat returned ${length} bytes`);
    rates.push(PIPE_MB / seconds);
  }
  return median(rates);
}

function measurePython(): Figures | null {
  const script = fileURLToPath(new URL('./subprocess_bench.py', import.meta.url));
  const result = spawnSync('python3', [script, String(ITERATIONS), String(PIPE_MB), String(PIPE_RUNS)], {
    encoding: 'utf8',
    maxBuffer: 1024 * 1024,
  });
  if (result.error || result.status !== 0) return null;
  const parsed = JSON.parse(result.stdout) as { spawn_ms: number; echo_ms: number; pipe_mb_s: number };
  return { spawnMs: parsed.spawn_ms, echoMs: parsed.echo_ms, pipeMbS: parsed.pipe_mb_s };
}

function pad(text: string, width: number, left = false): string {
  return left ? text.padEnd(width) : text.padStart(width);
}

export async function main(): Promise<void> {
  const started = performance.now();
  const python = measurePython();
  const latency = [];
  for (const c of contenders) latency.push(await measureLatency(c));
  const data = Buffer.alloc(PIPE_MB * 1024 * 1024);
  for (let i = 0; i < data.length; i += 4) data.writeUInt32LE(i, i);
  const results = new Map<string, Figures>();
  for (const [i, c] of contenders.entries()) {
    results.set(c.name, { ...latency[i], pipeMbS: await measurePipe(c, data) });
  }
  if (python) results.set('python3 subprocess', python);

  const ours = results.get('multiprocessing-ts') as Figures;
  const execaFigures = results.get('execa 9') as Figures;
  const rows: [string, keyof Figures, string, boolean][] = [
    ['spawn→exit /bin/true', 'spawnMs', 'ms/call', true],
    ['spawn→exit echo (text)', 'echoMs', 'ms/call', true],
    [`${PIPE_MB} MB stdin→cat→stdout`, 'pipeMbS', 'MB/s', false],
  ];
  const names = [...results.keys()];
  const header =
    pad('benchmark', 28, true) +
    pad('unit', 9) +
    names.map((n) => pad(n, 20)).join('') +
    pad('vs execa', 11) +
    (python ? pad('vs python', 11) : '');
  console.log(`\nmultiprocessing-ts/subprocess benchmark (${ITERATIONS} calls per latency row, median of ${PIPE_RUNS} pipe runs)`);
  console.log(header);
  console.log('-'.repeat(header.length));
  for (const [label, key, unit, lowerIsBetter] of rows) {
    const ratio = (other: Figures): string => {
      const r = ours[key] / other[key];
      return `${r.toFixed(2)}×`;
    };
    console.log(
      pad(label, 28, true) +
        pad(unit, 9) +
        names.map((n) => pad((results.get(n) as Figures)[key].toFixed(key === 'pipeMbS' ? 0 : 3), 20)).join('') +
        pad(ratio(execaFigures), 11) +
        (python ? pad(ratio(python), 11) : '') +
        (lowerIsBetter ? '   (ratio = ours ÷ theirs; < 1 is faster)' : '   (ratio = ours ÷ theirs; > 1 is faster)'),
    );
  }
  if (!python) console.log('python3 not found: Python column skipped.');
  const spawnRatio = ours.spawnMs / execaFigures.spawnMs;
  const pipeRatio = ours.pipeMbS / execaFigures.pipeMbS;
  console.log(
    `\nGoals: spawn→exit ≤ 1.1× execa: ${spawnRatio.toFixed(2)}× ${spawnRatio <= 1.1 ? 'met' : 'MISSED'}; ` +
      `pipe throughput ≥ execa: ${pipeRatio.toFixed(2)}× ${pipeRatio >= 1 ? 'met' : 'MISSED'}. ` +
      `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

runIfMain(import.meta.url, main);
