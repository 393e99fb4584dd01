/**
 * The Node options a child inherits: loaders (tsx, --import, --require, --loader), conditions,
 * memory flags. Not options that would make the child something else (a test runner, an
 * evaluator, a debugger on the parent's port, a watcher).
 */
const dropWithValue = new Set([
  '-e', '--eval', '-p', '--print', '--input-type',
  '--test-reporter', '--test-reporter-destination', '--test-name-pattern', '--test-skip-pattern', '--test-concurrency',
  '--test-timeout', '--test-shard', '--test-coverage-include', '--test-coverage-exclude', '--test-coverage-branches',
  '--test-coverage-functions', '--test-coverage-lines', '--watch-path', '--inspect-port', '--debug-port', '--inspect-publish-uid',
  '--cpu-prof-dir', '--cpu-prof-name', '--cpu-prof-interval', '--heap-prof-dir', '--heap-prof-name', '--heap-prof-interval',
]);
const dropPrefixes = ['--inspect', '--debug', '--test', '--watch', '--cpu-prof', '--heap-prof', '--prof'];

/** V8 and process-wide flags a worker thread refuses (ERR_WORKER_INVALID_EXEC_ARGV): a thread shares them anyway. */
const processOnly = ['--max-old-space-size', '--max-semi-space-size', '--stack-size', '--title', '--expose-gc', '--expose_gc', '--v8-'];

/** The options for a worker thread: the child's, without the process-wide ones. */
export function threadExecArgv(): string[] {
  return childExecArgv().filter((arg) => !processOnly.some((prefix) => arg.startsWith(prefix)));
}

export function childExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i];
    const flag = arg.split('=', 1)[0];
    if (dropWithValue.has(flag)) {
      if (!arg.includes('=')) i++;
      continue;
    }
    if (dropPrefixes.some((prefix) => flag.startsWith(prefix))) continue;
    out.push(arg);
  }
  return out;
}
