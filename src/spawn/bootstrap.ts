/**
 * A child's start-up, the same for every start method (CPython's spawn.py + _bootstrap):
 * receive the payload, become the process the parent described, import the target's module
 * (where the main-module guard matters), run, wait for our own children, exit.
 *
 * This is on the path of every start, so it loads no more of the library than the payload
 * needs: a target run by a built-in Process class is called without the library (its Process
 * object is made only if the target asks for it); a Process subclass, or arguments beyond
 * small plain data (framing.ts), load the modules that handle them. It is bundled with its
 * entry point into one CommonJS file (scripts/bundle-child.mjs), so it may import only
 * stateless modules: the library's stateful ones (process.js, reduction.js) are imported at
 * run time, shared with the user's code.
 */
import type { ChildPayload, Process } from '../process.js';
import { HEADER_JSON, unframeJson } from '../framing.js';
import type { StartMethod } from '../start-methods.js';
import { processState, type ProcessState } from '../state.js';
import { exitFlushed, watchStdio } from './stdio.js';
import { importFunction } from './target.js';

let processName = 'Process';

/** Python's traceback header: `Process Process-1:` then the stack. */
function report(error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : `Uncaught ${String(error)}`;
  process.stderr.write(`Process ${processName}:\n${detail}\n`);
}

async function decode(bytes: Uint8Array, method: StartMethod): Promise<ChildPayload> {
  if (bytes[0] === HEADER_JSON) return unframeJson(bytes) as ChildPayload;
  const { createReduceContext, loadsAsync } = await import('../reduction.js');
  return (await loadsAsync(bytes, createReduceContext(method))) as ChildPayload;
}

/** The child's own Process object, for a class whose run() is not only "call the target". */
async function restore(payload: ChildPayload): Promise<Process> {
  await import('../context.js'); // registers the built-in classes
  const lib = await import('../process.js');
  const { Process } = lib;
  const cls =
    typeof payload.processClass === 'string'
      ? Process.builtinClass(payload.processClass)
      : await importFunction(payload.processClass, 'Process class');
  if (cls === undefined || typeof (cls as typeof Process).prototype?.run !== 'function') {
    throw new TypeError(`${String(payload.processClass)} is not a Process class`);
  }
  const target = payload.target === null ? null : await importFunction(payload.target, 'Target');
  return Process[lib.kRestore](cls as typeof Process, payload, target);
}

/** Python's _exit_function: stop daemonic children, wait for the others. */
async function finishChildren(): Promise<void> {
  const children = [...processState().children] as Process[];
  for (const child of children) if (child.daemon && child.exitcode === null) child.terminate();
  await Promise.all(children.map((child) => child.join()));
}

export async function bootstrap(bytes: Uint8Array, method: StartMethod): Promise<never> {
  watchStdio(method);
  process.on('uncaughtException', (error) => {
    report(error);
    void exitFlushed(1);
  });
  const state = processState();
  let run: () => unknown;
  try {
    const payload = await decode(bytes, method);
    processName = payload.name;
    Object.assign(state, {
      parent: payload.parent,
      identity: payload.identity,
      name: payload.name,
      daemon: payload.daemon,
      authkey: payload.authkey,
      childCounter: 0,
      bootstrapping: true,
    });
    if (payload.plainRun && payload.target !== null) {
      // Set first: currentProcess() at the top level of the target's module is this child too.
      const own: ProcessState['own'] = { payload, target: null };
      state.own = own;
      const target = await importFunction(payload.target, 'Target');
      own.target = target;
      const { args, kwargs } = payload;
      run = () => (kwargs === null ? target(...args) : target(...args, kwargs)); // Process#run
    } else {
      const self = await restore(payload);
      state.current = self;
      run = () => self.run();
    }
  } catch (error) {
    report(error);
    return exitFlushed(1);
  } finally {
    state.bootstrapping = false;
  }

  let code = 0;
  try {
    await run();
  } catch (error) {
    report(error);
    code = 1;
  }
  await finishChildren();
  return exitFlushed(code);
}
