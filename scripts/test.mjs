// Runs every test file under test/ with node's test runner, TypeScript through tsx.
// (Node 20's --test takes no globs, so the file list is built here.)
// Afterwards: nothing of ours may be left in /dev/shm by the whole suite, SIGKILL tests
// included (every segment the library names starts with "mpts").
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const SHM = '/dev/shm';
const ours = () => (existsSync(SHM) ? readdirSync(SHM).filter((name) => name.startsWith('mpts')) : []);

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
const before = new Set(ours());
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-timeout=120000', '--test-concurrency=2', ...selected],
  { stdio: 'inherit' },
);
// The resource tracker unlinks what a program left once its last process has exited: give the
// suite's last programs a moment.
let left = [];
for (let waited = 0; waited <= 5000; waited += 250) {
  left = ours().filter((name) => !before.has(name));
  if (left.length === 0) break;
  await sleep(250);
}
if (left.length > 0) {
  console.error(`\n/dev/shm: ${left.length} segment(s) of ours left behind by the suite: ${left.join(', ')}`);
  process.exit(result.status || 1);
}
if (only.length === 0) console.log(`# /dev/shm: nothing of ours left behind (${before.size} there before the run)`);
process.exit(result.status ?? 1);
