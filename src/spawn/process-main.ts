/** Entry point of a 'spawn' child: `node <execArgv> process-main.js <parentPid>`. */
import { constants } from 'node:os';
import { tryNative } from '../native.js';
import { bootstrap } from './bootstrap.js';

const parentPid = Number(process.argv[2]);

// Die with the parent, even one killed by SIGKILL and even while this child is busy in a
// CPU loop: the kernel delivers the signal (Linux). Elsewhere, the IPC channel closing is the
// fallback, which an idle child notices.
tryNative()?.setParentDeathSignal(constants.signals.SIGKILL);
if (process.ppid !== parentPid) process.exit(1); // the parent died before we could ask
process.once('disconnect', () => process.kill(process.pid, 'SIGKILL'));

process.once('message', (payload: Uint8Array) => {
  process.channel?.unref();
  void bootstrap(payload, 'spawn');
});
