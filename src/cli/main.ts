// The `gradstream` command's process entry: wires stdout/stderr, SIGINT / SIGTERM and the exit code.
import { readFileSync } from 'node:fs';
import { EXIT } from './cliError.js';
import { runCli } from './run.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const interrupt = new AbortController();
/** The signal that stopped the run: its exit code (130 for SIGINT, 143 for SIGTERM). */
let stoppedBy: number = EXIT.interrupted;
// First SIGINT (Ctrl-C) or SIGTERM: stop training cleanly at the next step (final checkpoint and
// end record written) → exit 130 / 143. A second one: leave at once.
const onStopSignal = (code: number) => (): void => {
  if (interrupt.signal.aborted) process.exit(code);
  stoppedBy = code;
  interrupt.abort();
};
process.on('SIGINT', onStopSignal(EXIT.interrupted));
process.on('SIGTERM', onStopSignal(EXIT.terminated));
// A closed stdout (`gradstream train --json | head`) is not a failure of the command.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
  throw e;
});

const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  version: pkg.version,
  signal: interrupt.signal,
  stderr: process.stderr,
});
process.exitCode = code === EXIT.interrupted ? stoppedBy : code;
