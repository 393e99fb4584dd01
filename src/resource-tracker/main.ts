/**
 * The resource tracker process (see client.ts). Reads `REGISTER|UNREGISTER <kind> <name>`
 * lines until every writer has gone, then unlinks what is still registered.
 */
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';

// Outlive the program's signals: cleaning up after it is the whole point.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {});

const live = new Set<string>();

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [command, kind, name] = line.split(' ');
  if (kind !== 'shared_memory' || name === undefined || name.includes('/')) return;
  if (command === 'REGISTER') live.add(name);
  else if (command === 'UNREGISTER') live.delete(name);
});
lines.on('close', () => {
  if (live.size === 0) return;
  process.stderr.write(
    `multiprocessing-ts resource tracker: ${live.size} shared memory segment(s) left by exited ` +
      `processes were not unlinked; unlinking them now: ${[...live].join(', ')}\n`,
  );
  for (const name of live) rmSync(`/dev/shm/${name}`, { force: true });
});
