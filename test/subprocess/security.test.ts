// shell: false never goes through a shell: hostile arguments arrive as literal argv strings.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { PIPE, run, runSync } from 'multiprocessing-ts/subprocess';
import { tempDir } from './_util.js';

describe('shell: false', () => {
  test('hostile arguments reach argv literally and have no side effect', async () => {
    const tmp = tempDir();
    try {
      const victim = tmp.path('victim');
      const pwned = tmp.path('pwned');
      const hostile = [
        `; rm -rf ${victim}`,
        `$(touch ${pwned})`,
        `\`touch ${pwned}\``,
        `' "; touch ${pwned}; echo "`,
        `&& touch ${pwned}`,
        `| touch ${pwned}`,
        `> ${pwned}`,
        '$HOME ~ * ?',
        'line\nbreak',
        '',
      ];
      const { mkdirSync } = await import('node:fs');
      mkdirSync(victim);
      const viaPrintf = await run(['printf', '%s\\0', ...hostile], { stdout: PIPE });
      assert.deepEqual(viaPrintf.stdout.toString().split('\0').slice(0, -1), hostile);
      const viaNode = await run(
        [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...hostile],
        { stdout: PIPE, text: true },
      );
      assert.deepEqual(JSON.parse(viaNode.stdout), hostile);
      const sync = runSync(['printf', '%s\\0', ...hostile], { stdout: PIPE });
      assert.deepEqual(sync.stdout.toString().split('\0').slice(0, -1), hostile);
      assert.ok(existsSync(victim), 'the directory was not removed');
      assert.ok(!existsSync(pwned), 'no command was run');
    } finally {
      tmp.remove();
    }
  });

  test('a string is one program name, never split or interpreted', async () => {
    const tmp = tempDir();
    try {
      const error = await run(`true; touch ${tmp.path('pwned')}`).catch((e: unknown) => e);
      assert.equal((error as Error).name, 'FileNotFoundError');
      assert.ok(!existsSync(tmp.path('pwned')));
    } finally {
      tmp.remove();
    }
  });

  test('with shell: true the same text is a command line (on purpose)', async () => {
    const result = await run('echo $((1 + 1)); echo `echo nested`', { shell: true, stdout: PIPE, text: true });
    assert.equal(result.stdout, '2\nnested\n');
  });
});
