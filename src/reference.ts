/**
 * Functions cross by reference, as Python pickles them: "the export `name` of module `url`".
 *
 * Finding that reference for a function object uses the inspector protocol on this thread
 * (synchronous for an in-thread session): `[[FunctionLocation]]` names the script, a brief
 * `Debugger.enable` maps script ids to URLs, and then
 *  - CommonJS: the module's `exports` (from require.cache) holds the function under some key;
 *  - ES modules: the module's source lists its exports (es-module-lexer), `[[Scopes]]` holds
 *    the module's bindings, and an identity check picks the binding that *is* the function.
 * Results are cached per function, scripts per id, so the inspector runs once per function.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { SerializationError } from './errors.js';
import { importedModule } from './reduction.js';

/** An explicit reference to an exported function: `{ module: './work.js', name: 'work' }`. */
export interface ModuleReference {
  /** A file path (absolute, or relative to the working directory), a file: URL or a package name. */
  readonly module: string;
  /** The export's name; `'default'` for a default export. */
  readonly name: string;
}

/** What crosses to the child: where to import from and how. */
export interface ResolvedReference extends ModuleReference {
  readonly kind: 'esm' | 'cjs' | 'auto';
}

type Callable = (...args: never[]) => unknown;

const require = createRequire(import.meta.url);

/**
 * es-module-lexer, loaded on the first ES-module target: a child that starts no children never
 * pays for it. Its CommonJS build compiles its WebAssembly synchronously on first parse (~6 ms);
 * the asm.js build ('es-module-lexer/js') takes ~70 ms to compile.
 */
function parseModule(source: string): ReturnType<typeof import('es-module-lexer').parse> {
  return (require('es-module-lexer') as typeof import('es-module-lexer')).parse(source);
}

const cache = new WeakMap<Callable, ResolvedReference>();

export function isModuleReference(value: unknown): value is ModuleReference {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ModuleReference).module === 'string' &&
    typeof (value as ModuleReference).name === 'string'
  );
}

/** Normalises a user-given `{ module, name }` so the child can import it from anywhere. */
export function explicitReference(ref: ModuleReference): ResolvedReference {
  let module = ref.module;
  if (module.startsWith('./') || module.startsWith('../')) module = pathToFileURL(resolve(module)).href;
  else if (isAbsolute(module)) module = pathToFileURL(module).href;
  return { module, name: ref.name, kind: 'auto' };
}

// ---- inspector plumbing -------------------------------------------------------------------

interface RemoteObject { type: string; objectId?: string; description?: string; value?: unknown }
interface PropertyDescriptor { name: string; value?: RemoteObject }
interface InternalProperty { name: string; value?: RemoteObject }
interface FunctionLocation { scriptId: string; lineNumber: number; columnNumber: number }

interface InspectorSession {
  connect(): void;
  post(method: string, params: object, callback: (error: Error | null, result: unknown) => void): void;
  on(event: string, listener: (message: { params: { scriptId: string; url: string } }) => void): void;
}

interface ScriptInfo { url: string; exports?: Array<{ name: string; local: string | undefined }> }

let session: InspectorSession | null = null;
const scripts = new Map<string, ScriptInfo>();
const GROUP = 'multiprocessing-ts:reference';
const PROBE = '__multiprocessingTsProbe';

function connect(): InspectorSession {
  if (session !== null) return session;
  let Session: new () => InspectorSession;
  try {
    ({ Session } = require('node:inspector') as { Session: new () => InspectorSession });
  } catch (error) {
    throw new SerializationError(
      'This Node.js has no inspector, which finding a target function by reference needs: ' +
        'pass the target as { module, name } instead.',
      undefined,
      { cause: error },
    );
  }
  const s = new Session();
  s.connect();
  s.on('Debugger.scriptParsed', (message) => {
    const { scriptId, url } = message.params;
    if (!scripts.has(scriptId)) scripts.set(scriptId, { url });
  });
  session = s;
  return s;
}

/** Same-thread inspector sessions answer synchronously, inside `post`. */
function post<T>(method: string, params: object = {}): T {
  const s = connect();
  let result: unknown;
  let failure: Error | null = null;
  let answered = false;
  s.post(method, params, (error, value) => {
    failure = error;
    result = value;
    answered = true;
  });
  if (!answered) throw new SerializationError(`The inspector did not answer ${method} synchronously`);
  if (failure !== null) throw failure;
  return result as T;
}

function properties(objectId: string): { result: PropertyDescriptor[]; internalProperties?: InternalProperty[] } {
  return post('Runtime.getProperties', { objectId, ownProperties: true });
}

function cjsPath(url: string): string | undefined {
  const path = url.startsWith('file:') ? fileURLToPath(url.replace(/\?.*$/, '')) : url;
  return require.cache[path] === undefined ? undefined : path;
}

/**
 * The script's URL and, for ES modules, its exports. The debugger is enabled once per new
 * script (it reports every script on enable, ~20 ms), and only for as long as this takes.
 */
function script(scriptId: string): ScriptInfo | undefined {
  const known = scripts.get(scriptId);
  if (known !== undefined && (known.exports !== undefined || cjsPath(known.url) !== undefined)) return known;
  post('Debugger.enable');
  try {
    const info = scripts.get(scriptId);
    if (info !== undefined && /^(file:|\/)/.test(info.url) && cjsPath(info.url) === undefined) {
      const { scriptSource } = post<{ scriptSource: string }>('Debugger.getScriptSource', { scriptId });
      const [, exported] = parseModule(scriptSource);
      info.exports = exported.flatMap((e) => (e.type === 'direct' ? [{ name: e.name, local: e.localName }] : []));
    }
    return info;
  } finally {
    post('Debugger.disable');
  }
}

function where(fn: Callable, info: ScriptInfo | undefined, location: FunctionLocation | undefined): string {
  const name = fn.name ? `"${fn.name}"` : '(anonymous)';
  if (info === undefined || location === undefined || info.url === '') return `function ${name}`;
  return `function ${name} (${info.url}:${location.lineNumber + 1}:${location.columnNumber + 1})`;
}

function notExported(description: string, what: string): SerializationError {
  return new SerializationError(
    `${what}: ${description} cannot be sent to another process because it is not exported from its module. ` +
      'Functions cross by reference, as in Python: define it at the top level of a module and export it ' +
      "(or pass { module, name }). Closures and local functions cannot be sent.",
    'ERR_TARGET_NOT_EXPORTED',
  );
}

function cjsExportName(exports: unknown, fn: Callable): string | undefined {
  if (exports === fn) return '';
  if ((typeof exports === 'object' || typeof exports === 'function') && exports !== null) {
    for (const [key, value] of Object.entries(exports)) if (value === fn) return key;
  }
  return undefined;
}

function esmExportName(fn: Callable, fnId: string, scopesId: string, info: ScriptInfo): string | undefined {
  const exported = info.exports ?? [];
  // An anonymous default export has no binding to compare; V8 names such a function "default".
  if (fn.name === 'default' && exported.some((e) => e.name === 'default' && e.local === undefined)) return 'default';
  const scopes = properties(scopesId).result;
  for (const scope of scopes) {
    if (scope.value?.objectId === undefined || !/^Module/.test(scope.value.description ?? '')) continue;
    const bindings = new Map(properties(scope.value.objectId).result.map((p) => [p.name, p.value?.objectId]));
    const candidates: Array<{ name: string; id: string }> = [];
    for (const { name, local } of exported) {
      const id = bindings.get(local ?? (name === 'default' ? '*default*' : name));
      if (id !== undefined) candidates.push({ name, id });
    }
    if (candidates.length === 0) return undefined;
    const { result } = post<{ result: RemoteObject }>('Runtime.callFunctionOn', {
      objectId: fnId,
      functionDeclaration: 'function (...candidates) { return candidates.indexOf(this); }',
      arguments: candidates.map((c) => ({ objectId: c.id })),
      returnByValue: true,
    });
    const index = result.value as number;
    return index >= 0 ? candidates[index].name : undefined;
  }
  return undefined;
}

/**
 * The module reference of an exported function (or class). `what` prefixes error messages,
 * e.g. `"target of Process-1"`. Throws SerializationError when no reference exists.
 */
export function referenceOf(fn: Callable, what: string): ResolvedReference {
  const cached = cache.get(fn);
  if (cached !== undefined) return cached;
  const holder = globalThis as Record<string, unknown>;
  holder[PROBE] = fn;
  try {
    const { result: remote } = post<{ result: RemoteObject }>('Runtime.evaluate', {
      expression: `globalThis.${PROBE}`,
      objectGroup: GROUP,
    });
    const internals = properties(remote.objectId!).internalProperties ?? [];
    const location = internals.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as
      | FunctionLocation
      | undefined;
    if (internals.some((p) => p.name === '[[TargetFunction]]')) {
      throw notExported(`bound function ${fn.name}`, what);
    }
    const info = location === undefined ? undefined : script(location.scriptId);
    if (location === undefined || info === undefined || !/^(file:|\/)/.test(info.url)) {
      throw new SerializationError(
        `${what}: ${where(fn, info, location)} is not defined in a module file, so it cannot be imported ` +
          'in another process. Export a function from a module and pass that.',
        'ERR_TARGET_NOT_EXPORTED',
      );
    }
    const path = cjsPath(info.url);
    let reference: ResolvedReference | undefined;
    if (path !== undefined) {
      const name = cjsExportName(require.cache[path]!.exports, fn);
      if (name !== undefined) reference = { module: path, name, kind: 'cjs' };
    } else {
      const scopes = internals.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
      const name = scopes === undefined ? undefined : esmExportName(fn, remote.objectId!, scopes, info);
      if (name !== undefined) reference = { module: info.url, name, kind: 'esm' };
    }
    if (reference === undefined) throw notExported(where(fn, info, location), what);
    cache.set(fn, reference);
    return reference;
  } finally {
    delete holder[PROBE];
    try {
      post('Runtime.releaseObjectGroup', { objectGroup: GROUP });
    } catch {
      // nothing to release
    }
  }
}

/**
 * The referenced export, synchronously: for a callback rebuilt inside a reduced object. ES
 * modules must have been imported already (a reducer's `imports`, which loadsAsync honours).
 */
export function resolveReferenceSync(ref: ResolvedReference): unknown {
  if (ref.kind === 'cjs') return (require(ref.module) as Record<string, unknown>)[ref.name];
  const namespace = importedModule(ref.module);
  if (namespace === undefined) {
    throw new SerializationError(`${ref.module} has not been imported in this process, so ${ref.name} cannot be resolved`);
  }
  return namespace[ref.name];
}
