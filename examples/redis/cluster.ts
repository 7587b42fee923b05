/** Helpers of the Redis examples: a throw-away redis-server, `gradstream` child processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

/**
 * Starts `redis-server` on 127.0.0.1 and a free port with an append-only file in a temporary
 * directory (the updater refuses a server that could lose acknowledged writes); resolves with its
 * URL once it answers.
 */
export async function startRedisServer(): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gradstream-redis-'));
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'yes'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      if (d.includes('Ready to accept connections')) resolve();
    });
  });
  return { url: `redis://127.0.0.1:${port}`, process: child };
}

/** Runs `gradstream ARGS…` (the repository's CLI through tsx) with its output prefixed by `name`. */
export function gradstream(
  name: string,
  args: readonly string[],
  onLine: (line: string) => void = (l) => console.log(`[${name}] ${l}`),
): { process: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let rest = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    const lines = (rest + d).split('\n');
    rest = lines.pop()!;
    for (const l of lines) onLine(l);
  });
  return { process: child, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}
