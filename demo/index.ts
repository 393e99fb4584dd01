/**
 * `npm run demo`: the seeds' scenarios, one after another. Each example runs as its own
 * program (`node --import tsx examples/…`), exactly as a user would run it, with its output
 * shown as it comes. The demo fails if an example exits non-zero or one of its children prints
 * a traceback (`Process Process-N:`), which an example's own exit code would not show.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

interface Scenario {
  /** examples/process/<file>.ts */
  file: string;
  /** What it shows, in English. */
  title: string;
  /** Where it comes from: the seed and its section name. */
  seed: string;
}

const scenarios: Scenario[] = [
  { file: 'pid-ppid', title: 'Start a child with arguments; pid and ppid; join', seed: '000 使用Process开启一个子进程' },
  { file: 'subclass', title: 'Subclass Process and override run()', seed: '000 继承Process开启一个子进程' },
  { file: 'daemon', title: 'A daemonic child ends with its parent; a normal one is waited for', seed: '000 使用Process守护进程' },
  { file: 'terminate', title: 'terminate(), kill(), is_alive, exitcode -N, sentinel, close()', seed: '000 Process类方法、属性' },
  { file: 'freeze-support', title: 'freezeSupport() (a no-op kept for parity)', seed: '000 freeze_support() 函数实例' },
  { file: 'ten-processes', title: 'Start 10 processes, join them all', seed: '001 Process 类' },
  { file: 'join-timeout', title: 'info(), join(1000) times out, is_alive, exitcode (daemon = false)', seed: '003 子进程（Process）' },
  { file: 'daemon-info', title: 'The same child with daemon = true: it ends with the main process', seed: '003 子进程（Process）, p.daemon = True' },
  { file: 'intro', title: 'The smallest programs: start from the guarded main block', seed: '004 1.1 进程介绍' },
  { file: 'start-method-join', title: 'setStartMethod("spawn"), start, join', seed: '004 1.2 常见功能 p.join()' },
  { file: 'start-method-daemon', title: 'setStartMethod("spawn") with a daemonic child', seed: '004 1.2 常见功能 p.daemon' },
  { file: 'names', title: 'Name a child; threads inside it; currentProcess().name', seed: '004 进程的名称的设置和获取' },
  { file: 'subclass-args', title: 'A subclass whose run() reads its args', seed: '004 自定义进程类' },
  { file: 'cpu-count', title: 'cpuCount() - 1 processes', seed: '004 CPU个数' },
  { file: 'thread-context', title: "The same API on the 'thread' start method: getContext('thread')", seed: 'start methods (P6)' },
];

const root = fileURLToPath(new URL('..', import.meta.url));
const traceback = /^Process [^\n]+:\n/m;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  traceback: boolean;
  ms: number;
}

/** Runs one example with stdout inherited; stderr is passed through and watched for tracebacks. */
function runExample(file: string): Promise<Outcome> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      process.stderr.write(chunk);
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      resolve({ code, signal, traceback: traceback.test(stderr), ms: performance.now() - t0 });
    });
  });
}

async function main(): Promise<void> {
  const failures: string[] = [];
  const t0 = performance.now();
  for (const [i, scenario] of scenarios.entries()) {
    const file = `examples/process/${scenario.file}.ts`;
    console.log(`\n=== ${i + 1}/${scenarios.length} ${scenario.title}`);
    console.log(`    seed ${scenario.seed} · npx tsx ${file}\n`);
    const outcome = await runExample(file);
    const status =
      outcome.signal !== null ? `killed by ${outcome.signal}` : outcome.code !== 0 ? `exit code ${outcome.code}` : null;
    if (status !== null || outcome.traceback) {
      failures.push(`${file}: ${status ?? 'a child printed a traceback'}`);
      console.log(`\n--- FAILED (${status ?? 'a child printed a traceback'})`);
    } else {
      console.log(`\n--- ok (${(outcome.ms / 1000).toFixed(1)} s)`);
    }
  }

  // subprocess (multiprocessing-ts/subprocess) has its own demo; run it once it exists.
  const subprocessDemo = fileURLToPath(new URL('./subprocess.ts', import.meta.url));
  if (existsSync(subprocessDemo)) {
    console.log('\n=== subprocess (multiprocessing-ts/subprocess)\n');
    try {
      const mod = (await import(pathToFileURL(subprocessDemo).href)) as { demoSubprocess?: () => unknown };
      if (typeof mod.demoSubprocess !== 'function') throw new TypeError('demo/subprocess.ts does not export demoSubprocess()');
      await mod.demoSubprocess();
      console.log('\n--- ok');
    } catch (error) {
      console.error(error);
      failures.push(`demo/subprocess.ts: ${(error as Error).message ?? String(error)}`);
      console.log('\n--- FAILED');
    }
  }

  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  if (failures.length > 0) {
    console.error(`\nDemo FAILED (${failures.length}), ${seconds} s:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log(`\nDemo done: every scenario ran, ${seconds} s.`);
  }
}

await main();
