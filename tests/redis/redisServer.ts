/** Test helper: a throw-away redis-server on 127.0.0.1 and a free port, its files in a temporary directory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  /** Where the server keeps its files (append-only file, snapshots). */
  readonly dir: string;
  /** Stops the server (SIGTERM; SIGKILL 3 s later if it is still there), waits for it to exit and removes the directory it made. */
  stop(): Promise<void>;
  /** Kills the server (SIGKILL: no shutdown save) and waits for it to exit. */
  kill(): Promise<void>;
}

/** How the server persists: `'aof'` (append-only file, fsync every second: durable), `'rdb'` (snapshots on `SAVE` only), `'none'`. */
export type Persistence = 'aof' | 'rdb' | 'none';

function persistenceArgs(p: Persistence, dir: string): string[] {
  const common = ['--dir', dir, '--dbfilename', 'dump.rdb'];
  if (p === 'aof') return [...common, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'];
  if (p === 'rdb') return [...common, '--save', '', '--appendonly', 'no'];
  return [...common, '--save', '', '--appendonly', 'no'];
}

/** A free TCP port on 127.0.0.1 (asks the OS). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `redis-server --bind 127.0.0.1 --port N` with `persistence` (default `'aof'`, what the
 * updater requires) in `dir` (default: a new temporary directory; give the old one to restart a
 * server on its data) and waits for PING.
 */
export async function startRedis(port?: number, o: { persistence?: Persistence; dir?: string } = {}): Promise<RedisServer> {
  const p = port ?? (await freePort());
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'gradstream-redis-'));
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(p), ...persistenceArgs(o.persistence ?? 'aof', dir)], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${p}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = createClient({ url, socket: { reconnectStrategy: false } });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      await probe.close();
      break;
    } catch {
      probe.destroy();
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${p}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port: p,
    url,
    process: child,
    dir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      // a server still writing its first append-only file refuses to shut down: then SIGKILL
      const force = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(force);
      if (o.dir === undefined) rmSync(dir, { recursive: true, force: true }); // (a restarted server's files belong to the first)
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
