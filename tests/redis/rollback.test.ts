/**
 * A broker that rolls back: with RDB snapshots only, a server killed with SIGKILL restarts from
 * its last snapshot and forgets the rounds, acknowledgements and deliveries since. The updater
 * refuses such a server unless told, detects the rollback against its checkpoint, and says when
 * a run makes no progress.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dense, mse, paramsFrom, sequential, sgd } from '../../src/index.js';
import { runRedisUpdater, type RedisStall, type RedisUpdaterOptions } from '../../src/redis/redisUpdater.js';
import { runRedisWorker } from '../../src/redis/redisWorker.js';
import type { OptState } from '../../src/core/optimizer.js';
import { connectClient, produce, type Client } from './helpers.js';
import { startRedis, type RedisServer } from './redisServer.js';

const model = sequential([dense(1, 1)]);
let dir: string;
const servers: RedisServer[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradstream-rollback-'));
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const s of servers.splice(0)) await s.stop();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function client(url: string): Promise<Client> {
  const c = await connectClient(url);
  clients.push(c);
  return c;
}

function updaterOptions(name: string, o: Partial<RedisUpdaterOptions<OptState>> = {}): RedisUpdaterOptions<OptState> {
  return {
    model,
    optimizer: sgd({ lr: 0.1 }) as RedisUpdaterOptions<OptState>['optimizer'],
    params: paramsFrom(model.layout, { '0.W': [[0]], '0.b': [0] }),
    stream: 'pts',
    group: 'g',
    prefix: 'rb',
    checkpointPath: join(dir, `${name}.json`),
    blockMs: 50,
    timeoutMs: 2000,
    ...o,
  };
}

/** Runs the updater with one worker until it stops (at `maxVersions`), then stops the worker. */
async function rounds(url: string, options: RedisUpdaterOptions<OptState>): Promise<number> {
  const abort = new AbortController();
  const worker = runRedisWorker(await client(url), {
    model,
    loss: mse(),
    stream: 'pts',
    group: 'g',
    consumer: 'w',
    prefix: 'rb',
    batchSize: 4,
    blockMs: 50,
    timeoutMs: 2000,
    signal: abort.signal,
  });
  try {
    return (await runRedisUpdater(await client(url), options)).version;
  } finally {
    abort.abort();
    await worker;
  }
}

describe('a broker that rolls back', () => {
  it('refuses a server without a durable append-only file, unless told', async () => {
    const server = await startRedis(undefined, { persistence: 'rdb' });
    servers.push(server);
    const c = await client(server.url);
    await expect(runRedisUpdater(c, updaterOptions('refuse', { maxVersions: 1 }))).rejects.toThrow(
      "redis persistence: expected appendonly yes with appendfsync always or everysec, which keeps what the server acknowledged across a crash (or the updater's allowNonDurableBroker option, at the risk of applying samples twice or never after one), received appendonly no, appendfsync everysec",
    );
    await c.sendCommand(['CONFIG', 'SET', 'appendonly', 'yes']);
    await c.sendCommand(['CONFIG', 'SET', 'appendfsync', 'no']);
    await expect(runRedisUpdater(c, updaterOptions('refuse', { maxVersions: 1 }))).rejects.toThrow(
      'received appendonly yes, appendfsync no',
    );
    await produce(c, 'pts', 0, 8);
    expect(await rounds(server.url, updaterOptions('refuse', { maxVersions: 2, allowNonDurableBroker: true }))).toBe(2);
    await c.sendCommand(['CONFIG', 'SET', 'appendonly', 'no']); // (a server writing its first append-only file does not stop on SIGTERM)
  });

  it('RDB: write, SAVE, more rounds, kill -9, restart — the updater detects the rollback and refuses to go on', async () => {
    const server = await startRedis(undefined, { persistence: 'rdb' });
    servers.push(server);
    const c = await client(server.url);
    await produce(c, 'pts', 0, 200);
    const options = (maxVersions: number): RedisUpdaterOptions<OptState> =>
      updaterOptions('rdb', { maxVersions, allowNonDurableBroker: true });
    expect(await rounds(server.url, options(5))).toBe(5);
    await c.sendCommand(['SAVE']); // the snapshot: version 5
    expect(await rounds(server.url, options(12))).toBe(12); // seven rounds the snapshot does not hold
    await server.kill();
    const restarted = await startRedis(server.port, { persistence: 'rdb', dir: server.dir });
    servers.push(restarted);
    const c2 = await client(restarted.url);
    expect(await c2.sendCommand(['GET', 'rb:epoch'])).toBe('5'); // rolled back
    await expect(rounds(restarted.url, options(20))).rejects.toThrow(
      "redis rb:epoch: expected version 12 (the updater's checkpoint says so), received version 5: the server lost acknowledged writes (restarted from an older snapshot?), so samples would be applied twice or never; restore the server's data or start a new run",
    );
    // nothing was applied twice: the refusal came before any round
    expect(await c2.sendCommand(['GET', 'rb:epoch'])).toBe('5');
  }, 60_000);

  it('a server that restarts from its snapshot while the updater waits between rounds: detected when the connection comes back', async () => {
    const server = await startRedis(undefined, { persistence: 'rdb' });
    servers.push(server);
    const c = await client(server.url);
    await produce(c, 'pts', 0, 200);
    // a client that reconnects, however long the server takes to come back
    const patient = createClient({ url: server.url, socket: { reconnectStrategy: () => 50 } });
    patient.on('error', () => {});
    await patient.connect();
    const abort = new AbortController();
    const worker = runRedisWorker(await client(server.url), {
      model,
      loss: mse(),
      stream: 'pts',
      group: 'g',
      consumer: 'w',
      prefix: 'rb',
      batchSize: 4,
      blockMs: 50,
      timeoutMs: 2000,
      signal: abort.signal,
    }).catch(() => 'gone');
    let version = 0;
    const updater = runRedisUpdater(
      patient,
      updaterOptions('live', {
        allowNonDurableBroker: true,
        maxVersions: 50,
        onRound: (r) => (version = r.version),
        beforeRound: async () => {
          if (version === 3) await c.sendCommand(['SAVE']);
          if (version !== 8) return;
          await server.kill();
          servers.push(await startRedis(server.port, { persistence: 'rdb', dir: server.dir }));
          await patient.ping(); // back, at version 3
        },
      }),
    );
    try {
      await expect(updater).rejects.toThrow(
        "redis rb:epoch: expected version 8 (the updater's checkpoint says so), received version 3: the server lost acknowledged writes",
      );
      expect(version).toBe(8);
    } finally {
      abort.abort();
      await worker;
      patient.destroy();
    }
  }, 30_000);

  it('a server restarted empty, or a group that forgot its deliveries, is a rollback too', async () => {
    const server = await startRedis(undefined, { persistence: 'none' });
    servers.push(server);
    const c = await client(server.url);
    await produce(c, 'pts', 0, 40);
    const options = updaterOptions('empty', { maxVersions: 20, allowNonDurableBroker: true });
    expect(await rounds(server.url, { ...options, maxVersions: 3 })).toBe(3);
    // the group forgot it delivered the applied entries: they would come again as new ones
    await c.sendCommand(['XGROUP', 'SETID', 'pts', 'g', '0']);
    await expect(runRedisUpdater(c, options)).rejects.toThrow(
      /^redis group g: expected entries up to \d+-\d+ delivered \(the updater's checkpoint says so\), received last-delivered-id 0-0: the server lost/,
    );
    // what a restart without persistence leaves: nothing
    await c.sendCommand(['FLUSHALL']);
    await produce(c, 'pts', 0, 40);
    await expect(runRedisUpdater(c, options)).rejects.toThrow(
      "redis rb:epoch: expected version 3 (the updater's checkpoint says so), received no epoch and no round record",
    );
  });

  it('AOF: kill -9 and restart lose nothing; the updater resumes', async () => {
    const server = await startRedis(undefined, { persistence: 'aof' });
    servers.push(server);
    const c = await client(server.url);
    await produce(c, 'pts', 0, 100);
    expect(await rounds(server.url, updaterOptions('aof', { maxVersions: 4 }))).toBe(4);
    await new Promise((r) => setTimeout(r, 1100)); // appendfsync everysec
    await server.kill();
    const restarted = await startRedis(server.port, { persistence: 'aof', dir: server.dir });
    servers.push(restarted);
    expect(await rounds(restarted.url, updaterOptions('aof', { maxVersions: 8 }))).toBe(8);
  }, 30_000);

  it('a run that makes no progress says so every stallWarningMs', async () => {
    const server = await startRedis();
    servers.push(server);
    const c = await client(server.url);
    await produce(c, 'pts', 0, 8); // two rounds of 4, then nothing more comes
    const stalls: RedisStall[] = [];
    const abort = new AbortController();
    const done = rounds(
      server.url,
      updaterOptions('stall', {
        maxSamples: 100,
        stallWarningMs: 300,
        signal: abort.signal,
        onStall: (s) => {
          stalls.push(s);
          if (stalls.length === 2) abort.abort();
        },
      }),
    );
    expect(await done).toBe(2);
    expect(stalls.map((s) => [s.version, s.samples])).toEqual([
      [2, 8],
      [2, 8],
    ]);
    expect(stalls[0]!.idleMs).toBeGreaterThanOrEqual(300);
    expect(stalls[1]!.idleMs).toBeGreaterThanOrEqual(600);
  }, 20_000);
});
