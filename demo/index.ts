/**
 * `npm run demo`: the seeds' scenarios, one after another. Each example runs as its own
 * program (`node --import tsx examples/…`), exactly as a user would run it, with its output
 * shown as it comes. The demo fails if an example exits non-zero, one of its children prints
 * a traceback (`Process Process-N:`), which an example's own exit code would not show, or the
 * resource tracker reports shared memory that the example left behind.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

interface Scenario {
  /** examples/<file>.ts, e.g. 'process/pid-ppid' */
  file: string;
  /** What it shows, in English. */
  title: string;
  /** Where it comes from: the seed and its section name. */
  seed: string;
}

const scenarios: Scenario[] = [
  { file: 'process/pid-ppid', title: 'Start a child with arguments; pid and ppid; join', seed: '000 使用Process开启一个子进程' },
  { file: 'process/subclass', title: 'Subclass Process and override run()', seed: '000 继承Process开启一个子进程' },
  { file: 'process/daemon', title: 'A daemonic child ends with its parent; a normal one is waited for', seed: '000 使用Process守护进程' },
  { file: 'process/terminate', title: 'terminate(), kill(), is_alive, exitcode -N, sentinel, close()', seed: '000 Process类方法、属性' },
  { file: 'process/freeze-support', title: 'freezeSupport() (a no-op kept for parity)', seed: '000 freeze_support() 函数实例' },
  { file: 'process/ten-processes', title: 'Start 10 processes, join them all', seed: '001 Process 类' },
  { file: 'process/join-timeout', title: 'info(), join(1000) times out, is_alive, exitcode (daemon = false)', seed: '003 子进程（Process）' },
  { file: 'process/daemon-info', title: 'The same child with daemon = true: it ends with the main process', seed: '003 子进程（Process）, p.daemon = True' },
  { file: 'process/intro', title: 'The smallest programs: start from the guarded main block', seed: '004 1.1 进程介绍' },
  { file: 'process/start-method-join', title: 'setStartMethod("spawn"), start, join', seed: '004 1.2 常见功能 p.join()' },
  { file: 'process/start-method-daemon', title: 'setStartMethod("spawn") with a daemonic child', seed: '004 1.2 常见功能 p.daemon' },
  { file: 'process/names', title: 'Name a child; threads inside it; currentProcess().name', seed: '004 进程的名称的设置和获取' },
  { file: 'process/subclass-args', title: 'A subclass whose run() reads its args', seed: '004 自定义进程类' },
  { file: 'process/cpu-count', title: 'cpuCount() - 1 processes', seed: '004 CPU个数' },
  { file: 'process/thread-context', title: "The same API on the 'thread' start method: getContext('thread')", seed: 'start methods (P6)' },
  // Locks and synchronisation (examples/sync)
  { file: 'sync/lock', title: 'Five processes print running/done under one Lock (acquireSync/release)', seed: '002 用锁' },
  { file: 'sync/lock-start-end', title: 'Three processes under one Lock, with withLock() (Python: with lock:)', seed: '001 加锁' },
  { file: 'sync/ticket', title: 'Five buyers, one ticket in a JSON file, a Lock: exactly one succeeds', seed: '002 购票 加锁' },
  { file: 'sync/ktv', title: 'Semaphore(4): six people, four sing at once', seed: '002 KTV' },
  { file: 'sync/event', title: 'Event: is_set, set, wait (with a timeout instead of hanging)', seed: '002 事件' },
  { file: 'sync/traffic-light', title: 'A traffic-light process drives an Event; cars wait for green', seed: '002 红绿灯 最终版' },
  // Shared memory (examples/shared)
  { file: 'shared/value-print', title: "Value('i', 1) and Value('c', '0'), printed", seed: '000 Value初始化整数、字符例子' },
  { file: 'shared/value-array', title: "A child writes Value('d') and negates Array('i', range(10))", seed: '000 Value和Array方法实例' },
  { file: 'shared/set-data', title: 'setData in a child, printData in the parent, before and after', seed: '001 共享内存 Value, Array' },
  { file: 'shared/value-chars', title: "A child sets Value('i'), Value('c'), Value('u') to 888, 'a', '张'", seed: '004 共享内存 Value' },
  { file: 'shared/array-item', title: "A child sets Array('i', [11, 22, 33, 44])[0] = 666", seed: '004 共享内存 Array' },
  { file: 'shared/shared-memory', title: 'SharedMemory: create, a child attaches by name and writes, unlink', seed: 'shared_memory (Python docs)' },
  // Queues and pipes (examples/queues, examples/pipe)
  { file: 'queues/basics', title: "Queue(): put 1, 2, 'aaa', get 1 back, in one process", seed: '002 队列 概念介绍' },
  { file: 'queues/child-get', title: "A child gets the parent's item and prints it with its pid and ppid", seed: '002 队列 wahaha' },
  { file: 'queues/two-way', title: "One queue both ways: the child gets 1 and puts 'aaa' back", seed: '002 双向通信' },
  { file: 'queues/batch', title: 'Queue(3): 10 putter and 10 getter processes', seed: '002 批量生产数据放入队列再批量获取结果' },
  { file: 'queues/baozi', title: 'Producer and consumer, ended by a None (null) sentinel', seed: '002 生产者消费者模型' },
  { file: 'queues/baozi-sentinels', title: 'Two producers, two consumers; the parent sends one None per consumer', seed: '002 主进程在生产者生产完毕后发送结束信号None' },
  { file: 'queues/nowait', title: 'Queue(5): putNowait/getNowait, with Full and Empty reported', seed: '000 Queue多个进程间通信' },
  { file: 'queues/full-empty', title: 'Queue(5): putNowait(6) raises Full, getNowait() raises Empty; timeouts', seed: '003 put_nowait 与 get_nowait' },
  { file: 'queues/writer-reader', title: 'Two writers, a reader looping on get(), terminated at the end', seed: '003 队列（Queue）' },
  { file: 'queues/child-puts', title: 'A child puts and exits; the parent joins it, then gets (no feeder-thread deadlock)', seed: '004 Queues(队列)' },
  { file: 'queues/set-data', title: 'setData puts in one child, printData gets in another; close, joinThread', seed: '001 队列' },
  { file: 'queues/joinable', title: 'JoinableQueue: a daemonic consumer calls taskDone(), the parent waits in join()', seed: '000 JoinableQueue类实例' },
  { file: 'queues/joinable-producers', title: 'JoinableQueue: two producers wait in join() for two daemonic consumers', seed: '002 JoinableQueue队列实现消费之生产者模型' },
  { file: 'pipe/one-way', title: 'Pipe(false): producer and consumer; EOFError when the producer is gone', seed: '000 Pipe两个进程间通信' },
  { file: 'pipe/hello', title: 'A child sends on its end of a Pipe; the parent receives', seed: '002 pipe初使用 f(conn)' },
  { file: 'pipe/left-right', title: 'Both ends in one process: send, recv, poll, EOFError, BrokenPipeError', seed: '002 pipe初使用 left, right' },
  { file: 'pipe/chi-le-me', title: '吃了么 ×20 and a None sentinel (the seed reads two messages per turn)', seed: '002 管道 吃了么' },
  { file: 'pipe/close-ends', title: '吃了么 ×20 ended by closing every copy of the sending end: EOFError', seed: '002 管道 EOFError' },
  { file: 'pipe/producer-consumer', title: 'Producer and consumer sharing both ends, each closing the one it does not use', seed: '002 pipe实现生产者消费者模型' },
  { file: 'pipe/set-data', title: 'setData sends in one child, printData receives in another', seed: '001 管道' },
  { file: 'pipe/exchange', title: "A child sends a list and waits for the parent's answer", seed: '004 Pipes(管道)' },
  // Process pools (examples/pool, examples/futures)
  { file: 'pool/apply-async-close', title: 'Pool(3): five applyAsync calls, then close() and join()', seed: '000 使用多线程-应用apply' },
  { file: 'pool/map-pid', title: 'Pool(): map over range(20), each call printing its pid; mapAsync', seed: '000 使用多线程-映射map' },
  { file: 'pool/apply-blocking', title: 'Pool(5): three blocking apply calls in a row, then close() and join()', seed: '001 进程池对象' },
  { file: 'pool/apply-fc', title: "Pool(5): five synchronous apply calls printing 'func<i>' and the worker's pid", seed: '002 Pool模块 代码实例' },
  { file: 'pool/apply-sync', title: 'Pool(3): ten synchronous apply calls, each result printed as it returns', seed: '002 进程池的同步调用' },
  { file: 'pool/apply-async', title: 'Pool(3): ten applyAsync calls; close, join, then get() each result', seed: '002 进程池的异步调用' },
  { file: 'pool/no-return', title: "Tasks without a return value: Pool(5) vs five Processes printing '*' × i", seed: '002 没有返回值的情况' },
  { file: 'pool/return-values', title: "Pool(5): applyAsync, then get() each result in order: *, **, ***, ****", seed: '002 有返回值的情况' },
  { file: 'pool/map', title: 'Pool(5).map over range(1, 5) (no results) and range(10) (squares, in order)', seed: '002 map' },
  { file: 'pool/map-vs-process', title: 'Pool(5).map of 100 trivial calls vs 100 Processes: the two times', seed: '002 效率对比' },
  { file: 'pool/callback', title: 'applyAsync with a callback: func1 in a worker, the callback in the main process', seed: '002 回调函数' },
  { file: 'pool/collect-results', title: 'Pool(): applyAsync ×10, close, join, then all the results together', seed: '002 回调函数 (without a callback)' },
  { file: 'process/socket-chat', title: 'A socket chat server: each connection handed to its own Process (P9)', seed: '000 多进程socket聊天并发' },
  { file: 'pool/socket-chat', title: 'The pool version: each connection handed to Pool(4) with applyAsync(talk, [conn])', seed: '002 进程池版socket并发聊天' },
  { file: 'futures/submit', title: 'ProcessPoolExecutor(4): submit ten calls and go on at once', seed: '004 4. 进程池' },
  { file: 'futures/shutdown', title: 'ProcessPoolExecutor(4): shutdown({ wait: true }) waits for the ten calls', seed: '004 4. 进程池 pool.shutdown(True)' },
  { file: 'futures/done-callback', title: 'addDoneCallback: the callback runs in the main process (currentProcess())', seed: '004 4. 进程池 add_done_callback' },
  { file: 'futures/lock', title: 'A Lock passed to executor calls guards a counter file (no Manager needed)', seed: '004 4. 进程池 进程锁' },
  // Managers and Listener/Client (examples/managers, examples/connection)
  { file: 'managers/value-string', title: "Manager().Value('c_char_p', 'hello'): a string a shared Value cannot hold", seed: '000 共享字符串' },
  { file: 'managers/methods', title: 'Manager: 20 processes change a list, a Value and a dict under a manager Lock; an Array', seed: '000 Manager方法实例' },
  { file: 'managers/set-data', title: 'await using Manager(): a child sets dict keys and reverses a list', seed: '001 服务进程' },
  { file: 'managers/dict-count', title: "A child decrements dic['count'] in a manager dict: 99 on both sides", seed: '002 修改字典的值' },
  { file: 'managers/dict-race', title: "20 processes do dic['count'] -= 1 with no lock: updates are lost (racy)", seed: '002 循环修改' },
  { file: 'managers/dict-lock', title: "The same under a Lock, with acquire()/release() and withLock(): the count ends at 0", seed: '002 循环修改 加锁, 使用上下文管理' },
  { file: 'managers/server-process', title: "A child sets d[1], d['2'], d[0.25] and appends 666 (number and string keys apart)", seed: '004 Server process' },
  { file: 'managers/dict-increment', title: '20 processes do d[1] += 1: racy without a lock, 20 with an RLock', seed: '004 3. 进程锁 (manager dict)' },
  { file: 'managers/executor-rlock', title: "A manager's RLock passed to ProcessPoolExecutor calls guards a counter file", seed: '004 4. 进程池 manager.RLock()' },
  { file: 'managers/distributed-steps', title: 'The distributed steps: getServer(), a client here puts tasks, a child Process gets them', seed: '000 分布式进程 STEP1-7' },
  { file: 'managers/three-parties', title: 'BaseManager over TCP: a serveForever() server, a sender and a receiver program', seed: '000 managers示例1 (三方参与)' },
  { file: 'managers/task-master', title: 'A task master (manager.start()) and a worker program: ten tasks, ten results', seed: '000 managers示例2 (两方参与)' },
  { file: 'managers/one-to-many', title: 'One manager server, two worker programs taking random numbers', seed: '000 managers示例3 (一对多)' },
  { file: 'connection/listener-client', title: 'Listener and Client with an authkey; a wrong key fails on both sides', seed: 'multiprocessing.connection (Python docs)' },
];

const root = fileURLToPath(new URL('..', import.meta.url));
const traceback = /^Process [^\n]+:\n/m;
const leak = /resource tracker: .* not unlinked/;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  traceback: boolean;
  leak: boolean;
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
      resolve({ code, signal, traceback: traceback.test(stderr), leak: leak.test(stderr), ms: performance.now() - t0 });
    });
  });
}

async function main(): Promise<void> {
  const failures: string[] = [];
  const t0 = performance.now();
  for (const [i, scenario] of scenarios.entries()) {
    const file = `examples/${scenario.file}.ts`;
    console.log(`\n=== ${i + 1}/${scenarios.length} ${scenario.title}`);
    console.log(`    seed ${scenario.seed} · npx tsx ${file}\n`);
    const outcome = await runExample(file);
    const status =
      outcome.signal !== null
        ? `killed by ${outcome.signal}`
        : outcome.code !== 0
          ? `exit code ${outcome.code}`
          : outcome.traceback
            ? 'a child printed a traceback'
            : outcome.leak
              ? 'shared memory was left for the resource tracker'
              : null;
    if (status !== null) {
      failures.push(`${file}: ${status}`);
      console.log(`\n--- FAILED (${status})`);
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
