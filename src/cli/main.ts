// The `gradstream` command's process entry: wires stdout/stderr, SIGINT and the exit code.
import { readFileSync } from 'node:fs';
import { EXIT } from './cliError.js';
import { runCli } from './run.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const interrupt = new AbortController();
// First Ctrl-C: stop training cleanly at the next step (final checkpoint written) → exit 130.
// Second Ctrl-C: leave at once.
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
  interrupt.abort();
});
// A closed stdout (`gradstream train --json | head`) is not a failure of the command.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
  throw e;
});

process.exitCode = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  version: pkg.version,
  signal: interrupt.signal,
  stderr: process.stderr,
});
