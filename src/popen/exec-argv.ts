/**
 * The Node options a child inherits: loaders (tsx, --import, --require, --loader), conditions,
 * memory flags. Not options that would make the child something else (a test runner, an
 * evaluator, a debugger on the parent's port, a watcher).
 */
const dropWithValue = new Set(['-e', '--eval', '-p', '--print', '--input-type', '--test-reporter', '--test-reporter-destination', '--test-name-pattern', '--test-concurrency', '--test-timeout', '--watch-path', '--cpu-prof-dir', '--heap-prof-dir']);
const dropPrefixes = ['--inspect', '--debug', '--test', '--watch', '--cpu-prof', '--heap-prof', '--prof'];

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
