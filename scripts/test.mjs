// Runs every test file under test/ with node's test runner, TypeScript through tsx.
// (Node 20's --test takes no globs, so the file list is built here.)
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../test/', import.meta.url).pathname;
const files = [];
(function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'fixtures') walk(path);
    else if (entry.name.endsWith('.test.ts')) files.push(path);
  }
})(root);
const only = process.argv.slice(2);
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-timeout=120000', '--test-concurrency=2', ...selected],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
