/**
 * A child's start-up, the same for both start methods (CPython's spawn.py + _bootstrap):
 * receive the payload, become the process the parent described, import the target's module
 * (where the main-module guard matters), run, wait for our own children, exit.
 */
import '../context.js'; // registers SpawnProcess and ThreadProcess
import { Process, kRestore, type ChildPayload, type Target } from '../process.js';
import { importReference, type ResolvedReference } from '../reference.js';
import { createReduceContext, loadsAsync } from '../reduction.js';
import type { StartMethod } from '../start-methods.js';
import { processState } from '../state.js';

let processName = 'Process';

/** Python's traceback header: `Process Process-1:` then the stack. */
function report(error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : `Uncaught ${String(error)}`;
  process.stderr.write(`Process ${processName}:\n${detail}\n`);
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (!stream.writable) resolve();
    else stream.write('', () => resolve());
  });
}

async function exit(code: number): Promise<never> {
  await Promise.all([flush(process.stdout), flush(process.stderr)]);
  process.exit(code);
}

async function resolveFunction(ref: ResolvedReference, what: string): Promise<Target> {
  const value = await importReference(ref);
  if (typeof value !== 'function') {
    const found = value === undefined ? 'no such export' : `a ${typeof value}`;
    throw new TypeError(`${what} ${ref.name ? `"${ref.name}"` : '(module.exports)'} of ${ref.module} is not a function (${found})`);
  }
  return value as Target;
}

/** Python's _exit_function: stop daemonic children, wait for the others. */
async function finishChildren(): Promise<void> {
  const children = [...processState().children] as Process[];
  for (const child of children) if (child.daemon && child.exitcode === null) child.terminate();
  await Promise.all(children.map((child) => child.join()));
}

export async function bootstrap(bytes: Uint8Array, method: StartMethod): Promise<never> {
  process.on('uncaughtException', (error) => {
    report(error);
    void exit(1);
  });
  const payload = (await loadsAsync(bytes, createReduceContext(method))) as ChildPayload;
  processName = payload.name;
  const state = processState();
  Object.assign(state, {
    parent: payload.parent,
    identity: payload.identity,
    name: payload.name,
    daemon: payload.daemon,
    authkey: payload.authkey,
    childCounter: 0,
    bootstrapping: true,
  });

  let self: Process;
  try {
    const cls =
      typeof payload.processClass === 'string'
        ? Process.builtinClass(payload.processClass)
        : await resolveFunction(payload.processClass, 'Process class');
    if (cls === undefined || typeof (cls as typeof Process).prototype?.run !== 'function') {
      throw new TypeError(`${String(payload.processClass)} is not a Process class`);
    }
    const target = payload.target === null ? null : await resolveFunction(payload.target, 'Target');
    self = Process[kRestore](cls as typeof Process, payload, target);
  } catch (error) {
    report(error);
    return exit(1);
  } finally {
    state.bootstrapping = false;
  }
  state.current = self;

  let code = 0;
  try {
    await self.run();
  } catch (error) {
    report(error);
    code = 1;
  }
  await finishChildren();
  return exit(code);
}
