/**
 * `npm run bench`: every benchmark, one after another. bench/subprocess.ts joins in once it
 * exists (loaded by path, so this file type-checks and runs without it).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { main as processBench } from './process.js';

async function optional(file: string): Promise<void> {
  const path = fileURLToPath(new URL(file, import.meta.url));
  if (!existsSync(path)) return;
  const mod = (await import(pathToFileURL(path).href)) as { main?: () => unknown };
  if (typeof mod.main !== 'function') throw new TypeError(`${file} does not export main()`);
  console.log('');
  await mod.main();
}

await processBench();
await optional('./subprocess.ts');
await optional('./sync.ts');
await optional('./queues.ts');
await optional('./pool.ts');
await optional('./managers.ts');
