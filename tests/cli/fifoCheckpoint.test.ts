/**
 * A checkpoint path that is a FIFO (a named pipe: opening it for reading waits for a writer, and
 * a pending file-system operation keeps a Node process alive): the command refuses it at once
 * and exits, as the built binary in a child process.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, ensureBuilt, startBin, tempDir, type CliResult } from './cliHarness.js';

/** Runs the binary; kills it (and fails) if it has not exited after `ms`. */
async function exits(args: string[], ms: number): Promise<CliResult> {
  const run = startBin(args);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), ms);
  const r = await run.done;
  clearTimeout(timer);
  return r;
}

describe('gradstream train: a checkpoint path that is a FIFO', () => {
  ensureBuilt();

  it('--checkpoint-dir whose last.json is a FIFO: exit 2 naming it, within the timeout', async () => {
    const dir = join(tempDir(), 'ck');
    mkdirSync(dir);
    execFileSync('mkfifo', [join(dir, 'last.json')]);
    const r = await exits(['train', join(EXAMPLES, 'seed.json'), '--checkpoint-dir', dir, '--max-steps', '3', '--quiet'], 25_000);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(`gradstream train: ${join(dir, 'last.json')}: expected a regular file, received a FIFO (named pipe)`);
  });

  it('--resume from a FIFO: exit 2 naming it, within the timeout', async () => {
    const fifo = join(tempDir(), 'last.json');
    execFileSync('mkfifo', [fifo]);
    const r = await exits(['train', join(EXAMPLES, 'seed.json'), '--resume', fifo, '--quiet'], 25_000);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(`gradstream train: ${fifo}: expected a checkpoint file (a regular file), received a FIFO (named pipe)`);
  });
});
