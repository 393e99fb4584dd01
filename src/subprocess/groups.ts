/**
 * Process groups this process started and has not finished with.
 *
 * With `killTree` (the default) a child is spawned `detached`, which here only means it leads
 * its own process group (and session): it is still waited for like any child. Signals for the
 * tree go to `-pid`. Because such a group no longer receives the terminal's Ctrl-C, groups
 * still running are
 * - killed (SIGKILL) when this process exits, and
 * - sent SIGINT / SIGTERM / SIGHUP when this process receives it; then, if nobody else
 *   listens for that signal, it is raised again so this process ends as it would have.
 */

const live = new Set<number>();
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let exitHooked = false;
let signalsHooked = false;

/** Sends `signal` to the group led by `pid` (or to `pid` alone); false when nothing was there. */
export function signalTree(pid: number, signal: NodeJS.Signals | number, tree: boolean): boolean {
  try {
    process.kill(tree ? -pid : pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

function killAll(signal: NodeJS.Signals | number): void {
  for (const pid of live) {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  }
}

function onExit(): void {
  killAll('SIGKILL');
}

function onSignal(signal: NodeJS.Signals): void {
  killAll(signal);
  unhookSignals();
  if (process.listenerCount(signal) === 0) {
    process.kill(process.pid, signal);
    return;
  }
  // Someone else handles the signal and this process may live on: keep watching.
  setImmediate(() => {
    if (live.size > 0) hookSignals();
  }).unref();
}

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  // Prepended, so listeners counting the others (signal-exit) no longer see this one when
  // their turn comes: it removes itself first.
  for (const signal of FORWARDED) process.prependListener(signal, onSignal);
}

function unhookSignals(): void {
  if (!signalsHooked) return;
  signalsHooked = false;
  for (const signal of FORWARDED) process.removeListener(signal, onSignal);
}

/** Remembers a group leader until `untrack`. */
export function track(pid: number): void {
  live.add(pid);
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', onExit);
  }
  hookSignals();
}

/** Forgets a group leader (its group has finished with our pipes). */
export function untrack(pid: number): void {
  live.delete(pid);
  if (live.size === 0) unhookSignals();
}

/** Whether the group led by `pid` is still tracked. */
export function isTracked(pid: number): boolean {
  return live.has(pid);
}
