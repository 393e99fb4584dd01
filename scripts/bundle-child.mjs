// Bundles each child entry point, with the start-up code every child runs, into one CommonJS
// file: dist/spawn/process-main.cjs and dist/spawn/thread-main.cjs. Node starts a single
// CommonJS file faster than it resolves, loads and links a graph of ES modules (see
// bench/process.ts). Run by `npm run prepare`, after tsc.
//
// Static imports are bundled; dynamic ones stay imports of the library's own files in dist/,
// loaded at run time only by the children that need them. A bundled module is a second copy,
// so only modules whose copy cannot be told from the original may be bundled: no module
// state (state.ts keeps its state on globalThis), no class a user could meet.
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entries = ['src/spawn/process-main.ts', 'src/spawn/thread-main.ts'];
const bundleable = new Set([
  ...entries,
  'src/spawn/bootstrap.ts',
  'src/spawn/stdio.ts',
  'src/spawn/target.ts',
  'src/framing.ts',
  'src/state.ts',
]);

/** Dynamic imports stay as written: the bundle sits in dist/spawn/ as its sources do in src/spawn/. */
const dynamicImportsStay = {
  name: 'dynamic-imports-stay',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      if (relative(root, args.resolveDir) !== 'src/spawn') {
        return { errors: [{ text: `dynamic import of ${args.path} outside src/spawn/ would resolve elsewhere from the bundle` }] };
      }
      return { path: args.path, external: true };
    });
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir: 'dist/spawn',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  plugins: [dynamicImportsStay],
});

const problems = result.warnings.map((w) => w.text); // e.g. import.meta, empty in CommonJS
for (const input of Object.keys(result.metafile.inputs)) {
  if (!bundleable.has(input)) problems.push(`${input} may not be bundled into a child entry (see scripts/bundle-child.mjs)`);
}
if (problems.length > 0) {
  console.error(`bundle-child: ${problems.join('\n')}`);
  process.exit(1);
}
