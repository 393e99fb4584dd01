/**
 * Node 20 worker threads do not run the parent's `--import` hooks (and tsx registers its
 * loader on the main thread only), so a 'thread' child would not understand the TypeScript a
 * 'spawn' child does. This replays the parent's preloads inside the worker.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Preload { kind: 'import' | 'require'; specifier: string }

function preloads(execArgv: readonly string[]): Preload[] {
  const out: Preload[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const [flag, inline] = execArgv[i].split(/=(.*)/s, 2);
    const kind = flag === '--import' ? 'import' : flag === '--require' || flag === '-r' ? 'require' : null;
    if (kind === null) continue;
    const specifier = inline ?? execArgv[++i];
    if (specifier !== undefined) out.push({ kind, specifier });
  }
  return out;
}

/** The root of the tsx package a preload names, or null if it is not tsx. */
function tsxRoot(specifier: string, require: NodeJS.Require): string | null {
  const path = specifier.startsWith('file:') ? fileURLToPath(specifier) : specifier;
  const inDist = /^(.*[/\\]tsx)[/\\]dist[/\\]/.exec(path);
  if (inDist !== null) return inDist[1];
  if (specifier === 'tsx' || specifier.startsWith('tsx/')) return dirname(require.resolve('tsx/package.json'));
  return null;
}

/** An entry of tsx's exports map, for the `import` or `require` condition. */
function tsxEntry(root: string, subpath: string, condition: 'import' | 'require'): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, Record<string, { default: string }>>;
  };
  return join(root, pkg.exports[subpath][condition].default);
}

export async function replayPreloads(execArgv: readonly string[]): Promise<void> {
  const require = createRequire(`${process.cwd()}/`);
  let tsx: string | null = null;
  for (const { kind, specifier } of preloads(execArgv)) {
    const root = tsxRoot(specifier, require);
    if (root !== null) {
      tsx = root;
      continue;
    }
    if (kind === 'require') require(specifier);
    else await import(isAbsolute(specifier) ? pathToFileURL(specifier).href : specifier.startsWith('.') ? pathToFileURL(require.resolve(specifier)).href : specifier);
  }
  if (tsx !== null) {
    // tsx's API registers in whatever thread calls it; its CLI hooks do not reach workers.
    const esm = (await import(pathToFileURL(tsxEntry(tsx, './esm/api', 'import')).href)) as { register(): unknown };
    const cjs = require(tsxEntry(tsx, './cjs/api', 'require')) as { register(): unknown };
    esm.register();
    cjs.register();
  }
}
