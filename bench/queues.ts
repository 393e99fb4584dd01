/**
 * Message passing (issue 4): Queue and Pipe, side by side with CPython's multiprocessing in the
 * same run (bench/queues_bench.py, when python3 is present) and with Node's own IPC channel
 * (child_process.fork, 'json' and 'advanced' serialization). Every child is started with 'spawn'.
 *
 *   Queue small messages    a child puts ints, the parent gets them: msgs/s   goal ≥ 10 × Python
 *   Queue 1 MiB messages    the same with 1 MiB Buffers (bytes): MiB/s        goal ≥ 3 × Python
 *   Pipe small messages     one-way send → recvSync (send/recv): msgs/s
 *   Pipe round trip         send + recvSync, a child echoing: median µs      goal ≤ 0.25 × Python
 *   Pipe 1 MiB messages     sendBytes → recvBytesSync (send_bytes/recv_bytes): MiB/s (information)
 *
 * One-way rates are timed from the parent's first receive to the end marker, so a child's
 * start-up is left out. Python's receives block their thread, so the like-for-like figures use
 * the Sync forms; Queue with the Promise forms (await put()/get()) is printed for information.
 * Node's IPC is measured with its own child (bench/fixtures/queues-ipc-child.mjs), honouring
 * process.send()'s backpressure; with 'json' a 1 MiB Buffer travels as a base64 string, decoded
 * on arrival.
 *
 * The measuring runs in plain `node` (bench/fixtures/queues-measure.mjs), as in bench/sync.ts.
 * Both sides run 3 times, alternating; each figure is the median of its 3.
 *
 *   npx tsx bench/queues.ts
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { medians, runIfMain } from './common.js';

/** Message counts: enough for a steady rate on each side, not for long totals. */
const OURS = { small: 300_000, roundTrips: 20_000, large: 500, ipcSmall: 30_000, ipcRoundTrips: 5000, ipcLarge: 50 };
const PYTHON = { small: 50_000, roundTrips: 20_000, large: 300 };
const ROUNDS = 3;

interface PythonFigures {
  queue_small_msgs_s: number;
  queue_1mib_mib_s: number;
  pipe_small_msgs_s: number;
  pipe_rtt_us: number;
  pipe_rtt_mean_us: number;
  pipe_1mib_mib_s: number;
}

interface OurFigures extends PythonFigures {
  queue_small_async_msgs_s: number;
  ipc_json_small_msgs_s: number;
  ipc_json_rtt_us: number;
  ipc_json_rtt_mean_us: number;
  ipc_json_1mib_mib_s: number;
  ipc_advanced_small_msgs_s: number;
  ipc_advanced_rtt_us: number;
  ipc_advanced_rtt_mean_us: number;
  ipc_advanced_1mib_mib_s: number;
}

function measureOurs(): OurFigures {
  const script = fileURLToPath(new URL('./fixtures/queues-measure.mjs', import.meta.url));
  const counts = [OURS.small, OURS.roundTrips, OURS.large, OURS.ipcSmall, OURS.ipcRoundTrips, OURS.ipcLarge];
  const result = spawnSync(process.execPath, [script, ...counts.map(String)], { encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) {
    throw new Error(`bench/fixtures/queues-measure.mjs failed (${result.error?.message ?? `status ${result.status}, ${result.signal}`}):\n${result.stderr}`);
  }
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as OurFigures;
}

function measurePython(): PythonFigures | null {
  const script = fileURLToPath(new URL('./queues_bench.py', import.meta.url));
  const counts = [PYTHON.small, PYTHON.roundTrips, PYTHON.large];
  const result = spawnSync('python3', [script, ...counts.map(String)], { encoding: 'utf8', timeout: 180_000 });
  if (result.error !== undefined || result.status !== 0) {
    if (result.error === undefined || (result.error as NodeJS.ErrnoException).code !== 'ENOENT') {
      console.error(`bench/queues_bench.py failed (${result.error?.message ?? `status ${result.status}`}):\n${result.stderr}`);
    }
    return null;
  }
  return JSON.parse(result.stdout) as PythonFigures;
}

function pad(text: string, width: number, left = false): string {
  return left ? text.padEnd(width) : text.padStart(width);
}

function format(value: number | undefined, unit: string): string {
  if (value === undefined) return '—';
  if (value >= 10_000) return `${(value / 1000).toFixed(0)}k ${unit}`;
  return `${value.toFixed(value < 100 ? 1 : 0)} ${unit}`;
}

interface Row {
  label: string;
  unit: 'msgs/s' | 'MiB/s' | 'µs';
  ours: number;
  other?: number;
  /** Goal on ours ÷ other: at least this for rates, at most this for latencies. */
  goal?: number;
}

/** Rates: higher is better, goal "≥"; latencies (µs): lower is better, goal "≤". */
function verdict(row: Row, ratio: number | undefined): string {
  if (row.goal === undefined || ratio === undefined) return '';
  const atLeast = row.unit !== 'µs';
  const met = atLeast ? ratio >= row.goal : ratio <= row.goal;
  return `${atLeast ? '≥' : '≤'} ${row.goal}× ${met ? 'met' : 'MISSED'}`;
}

function print(title: string, other: string, rows: Row[]): void {
  console.log(title);
  console.log(`${pad('', 46, true)}${pad('ours', 14)}${pad(other, 14)}${pad('ratio', 9)}  goal`);
  for (const row of rows) {
    const ratio = row.other === undefined ? undefined : row.ours / row.other;
    console.log(
      pad(row.label, 46, true) +
        pad(format(row.ours, row.unit), 14) +
        pad(format(row.other, row.unit), 14) +
        pad(ratio === undefined ? '' : `${ratio.toFixed(2)}×`, 9) +
        `  ${verdict(row, ratio)}`,
    );
  }
}

export async function main(): Promise<void> {
  console.log("Queue and Pipe: ours vs CPython multiprocessing and Node's IPC channel ('spawn' children)");
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

  print('ratio = ours ÷ python: msgs/s and MiB/s higher is better, µs lower is better', 'python', [
    { label: 'Queue small msgs, putSync/getSync', unit: 'msgs/s', ours: ours.queue_small_msgs_s, other: python?.queue_small_msgs_s, goal: 10 },
    { label: 'Queue small msgs, await put()/get()', unit: 'msgs/s', ours: ours.queue_small_async_msgs_s, other: python?.queue_small_msgs_s },
    { label: 'Queue 1 MiB Buffer, putSync/getSync', unit: 'MiB/s', ours: ours.queue_1mib_mib_s, other: python?.queue_1mib_mib_s, goal: 3 },
    { label: 'Pipe small msgs, send/recvSync', unit: 'msgs/s', ours: ours.pipe_small_msgs_s, other: python?.pipe_small_msgs_s },
    { label: 'Pipe round trip, send+recvSync (median)', unit: 'µs', ours: ours.pipe_rtt_us, other: python?.pipe_rtt_us, goal: 0.25 },
    { label: 'Pipe round trip (mean)', unit: 'µs', ours: ours.pipe_rtt_mean_us, other: python?.pipe_rtt_mean_us },
    { label: 'Pipe 1 MiB, sendBytes/recvBytesSync', unit: 'MiB/s', ours: ours.pipe_1mib_mib_s, other: python?.pipe_1mib_mib_s },
  ]);
  if (python === null) console.log('python3 not found or failed: Python column skipped.');

  for (const serialization of ['json', 'advanced'] as const) {
    const ipc = (figure: string): number => ours[`ipc_${serialization}_${figure}` as keyof OurFigures];
    console.log('');
    print(`ratio = ours ÷ Node IPC, child_process.fork({ serialization: '${serialization}' })`, `ipc ${serialization}`, [
      { label: 'Queue small msgs, putSync/getSync', unit: 'msgs/s', ours: ours.queue_small_msgs_s, other: ipc('small_msgs_s') },
      { label: 'Pipe small msgs, send/recvSync', unit: 'msgs/s', ours: ours.pipe_small_msgs_s, other: ipc('small_msgs_s') },
      { label: 'Pipe round trip (median)', unit: 'µs', ours: ours.pipe_rtt_us, other: ipc('rtt_us') },
      { label: 'Pipe round trip (mean)', unit: 'µs', ours: ours.pipe_rtt_mean_us, other: ipc('rtt_mean_us') },
      {
        label: `Queue 1 MiB Buffer${serialization === 'json' ? ' (ipc: base64 string)' : ''}`,
        unit: 'MiB/s',
        ours: ours.queue_1mib_mib_s,
        other: ipc('1mib_mib_s'),
      },
      { label: 'Pipe 1 MiB, sendBytes/recvBytesSync', unit: 'MiB/s', ours: ours.pipe_1mib_mib_s, other: ipc('1mib_mib_s') },
    ]);
  }
  console.log(
    `\nMessages: ours ${OURS.small / 1000}k small, ${OURS.roundTrips / 1000}k round trips, ${OURS.large} × 1 MiB; ` +
      `python ${PYTHON.small / 1000}k, ${PYTHON.roundTrips / 1000}k, ${PYTHON.large} × 1 MiB; ` +
      `node IPC ${OURS.ipcSmall / 1000}k, ${OURS.ipcRoundTrips / 1000}k, ${OURS.ipcLarge} × 1 MiB. Medians of ${ROUNDS} runs.`,
  );
}

runIfMain(import.meta.url, main);
