// The seeds' subprocess examples, on Linux (`dir` → `ls -l`, `ipconfig /all` → `ip addr` /
// `hostname -I`), plus the rest of the module at a glance. Called from demo/index.ts.
import { pathToFileURL } from 'node:url';
import {
  CalledProcessError,
  FileNotFoundError,
  PIPE,
  Popen,
  STDOUT,
  TimeoutExpired,
  call,
  checkOutput,
  getoutput,
  getstatusoutput,
  run,
} from 'multiprocessing-ts/subprocess';

function header(title: string): void {
  console.log(`\n── subprocess: ${title} ${'─'.repeat(Math.max(0, 60 - title.length))}`);
}

export async function demoSubprocess(): Promise<void> {
  header("run('ls -l', { shell: true })   # Python: run('dir', shell=True)");
  const listing = await run('ls -l', { shell: true, cwd: new URL('..', import.meta.url) });
  console.log('proc.args       =', JSON.stringify(listing.args));
  console.log('proc.returncode =', listing.returncode);

  header("run(['ip', '-brief', 'addr'])   # Python: run(['ipconfig', '/all'], shell=True)");
  try {
    const ip = await run(['ip', '-brief', 'addr']);
    console.log('proc.args       =', JSON.stringify(ip.args));
    console.log('proc.returncode =', ip.returncode);
  } catch (error) {
    if (!(error instanceof FileNotFoundError)) throw error;
    console.log(`(no ip command here) ${error.message}`);
  }
  // A list with shell: true runs the first item as the command line; the rest become $0, $1…
  const addresses = await run(['hostname -I'], { shell: true, captureOutput: true, text: true });
  console.log("run(['hostname -I'], { shell: true }) →", JSON.stringify(addresses.stdout.trim()));

  header('captureOutput and text: output as a string');
  const hello = await run(['echo', 'hello', 'world'], { captureOutput: true, text: true });
  console.log('stdout =', JSON.stringify(hello.stdout), ' stderr =', JSON.stringify(hello.stderr));
  const bytes = await run(['printf', 'raw'], { stdout: PIPE });
  console.log('without text, output is a Buffer:', bytes.stdout);

  header('input: data sent to stdin');
  const sorted = await run(['sort'], { input: 'pear\napple\nfig\n', captureOutput: true, text: true });
  console.log(sorted.stdout.trimEnd());

  header('shell: false never goes through a shell');
  const literal = await run(['printf', '%s\\n', '$(whoami); rm -rf /tmp/x'], { captureOutput: true, text: true });
  console.log('argument arrived verbatim:', literal.stdout.trimEnd());

  header('check: a non-zero status raises CalledProcessError');
  const failed = await run(['ls', '/no/such/dir'], { captureOutput: true, text: true });
  console.log('without check: returncode =', failed.returncode);
  try {
    await run(['ls', '/no/such/dir'], { captureOutput: true, text: true, check: true });
  } catch (error) {
    if (!(error instanceof CalledProcessError)) throw error;
    console.log(`with check: ${error.name}: ${error.message.split('\n')[0]}`);
    console.log('error.stderr =', JSON.stringify(error.stderr));
  }

  header('timeout (ms): the whole process tree is killed, partial output kept');
  try {
    await run(['sh', '-c', 'echo working; sleep 10 & sleep 10; echo never'], { timeout: 300, captureOutput: true, text: true });
  } catch (error) {
    if (!(error instanceof TimeoutExpired)) throw error;
    console.log(`${error.name}: ${error.message.split('. ')[0]}.`);
    console.log('partial stdout =', JSON.stringify(error.stdout));
  }

  header('Popen: start now, wait later; communicate() sends input and collects output');
  const proc = new Popen(['tr', 'a-z', 'A-Z'], { stdin: PIPE, stdout: PIPE, text: true });
  console.log('pid =', proc.pid, ' poll() =', proc.poll(), '(still running)');
  const [out, err] = await proc.communicate('popen and communicate\n');
  console.log('out =', JSON.stringify(out), ' err =', err, ' returncode =', proc.returncode);

  header('Popen.communicate with a timeout: the child keeps running, a later call gets everything');
  const slow = new Popen(['sh', '-c', 'echo one; sleep 0.5; echo two'], { stdout: PIPE, text: true });
  try {
    await slow.communicate(null, { timeout: 100 });
  } catch (error) {
    if (!(error instanceof TimeoutExpired)) throw error;
    console.log('after 100 ms:', JSON.stringify(error.stdout), '- still running:', slow.returncode === null);
  }
  const [all] = await slow.communicate();
  console.log('in the end:  ', JSON.stringify(all));

  header('Popen.lines(): output line by line as it comes');
  const counter = new Popen(['sh', '-c', 'for i in 1 2 3; do echo "tick $i"; sleep 0.05; done'], { stdout: PIPE });
  for await (const line of counter.lines()) console.log('  got', JSON.stringify(line));
  await counter.wait();

  header('call / checkOutput / getoutput / getstatusoutput');
  console.log("call(['true'])                =", await call(['true']));
  console.log("checkOutput(['uname', '-s'])  =", JSON.stringify(await checkOutput(['uname', '-s'], { text: true })));
  console.log("getoutput('echo hi; ls /nope') =", JSON.stringify(await getoutput('echo hi; ls /nope')));
  console.log("getstatusoutput('exit 3')     =", JSON.stringify(await getstatusoutput('exit 3')));
  const merged = await run('echo out; echo err >&2', { shell: true, stdout: PIPE, stderr: STDOUT, text: true });
  console.log('stderr: STDOUT merges in order  =', JSON.stringify(merged.stdout));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await demoSubprocess();
}
