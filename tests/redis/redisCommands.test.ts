import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runUpdater, runWorker } from '../../src/cli/redisCommands.js';
import { runRedisWorker } from '../../src/redis/redisWorker.js';
import { modelFromConfig } from '../../src/schemas/modelFromConfig.js';
import { mse } from '../../src/core/losses/mse.js';
import { connectClient, produce, type Client } from './helpers.js';
import { freePort, startRedis, type RedisServer } from './redisServer.js';

let server: RedisServer;
let client: Client;
let dir: string;
let out: string[];
let err: string[];

beforeAll(async () => {
  server = await startRedis();
  client = await connectClient(server.url);
  dir = await mkdtemp(join(tmpdir(), 'gradstream-redis-cli-'));
});
afterAll(async () => {
  await client.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

function capture(): void {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => void out.push(String(line)));
  vi.spyOn(console, 'error').mockImplementation((line: unknown) => void err.push(String(line)));
}

const config = {
  model: { layers: [{ type: 'dense', inputs: 1, units: 1, weights: [[0]], biases: [0] }] },
  loss: 'mse',
  optimizer: { type: 'sgd', lr: 0.5 },
  data: { note: 'other keys of a training config are ignored' },
  redis: { stream: 'cli:points', group: 'g', prefix: 'cli', batchSize: 10, blockMs: 50, maxVersions: 5, checkpoint: 'updater.json' },
};

describe('gradstream worker / updater', () => {
  it('--help prints the usage; bad usage and bad configs exit 2 naming the problem', async () => {
    capture();
    expect(await runWorker(['--help'])).toBe(0);
    expect(out[0]).toMatch(/^usage: gradstream worker CONFIG --redis URL/);
    expect(await runUpdater(['-h'])).toBe(0);
    expect(out[1]).toMatch(/^usage: gradstream updater CONFIG --redis URL/);
    expect(await runWorker([])).toBe(2);
    expect(err[0]).toBe('gradstream: expected one CONFIG file, received 0');
    expect(await runWorker(['a.json'])).toBe(2);
    expect(err[2]).toBe('gradstream: --redis URL is required');
    expect(await runUpdater(['a.json', '--redis', 'x', '--frobnicate'])).toBe(2);
    expect(err[4]).toMatch(/^gradstream: Unknown option '--frobnicate'/);
    const missing = join(dir, 'missing.json');
    expect(await runWorker([missing, '--redis', server.url])).toBe(2);
    expect(err.at(-1)).toBe(`gradstream: ${missing}: cannot read the config (ENOENT)`);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ ...config, redis: { ...config.redis, batchSize: 0 } }));
    expect(await runUpdater([bad, '--redis', server.url])).toBe(2);
    expect(err.at(-1)).toBe(`gradstream: ${bad}: config.redis.batchSize: expected number to be >0, received 0`);
    const badModel = join(dir, 'badModel.yaml');
    await writeFile(badModel, 'model: { layers: [] }\nloss: mse\noptimizer: { type: sgd }\nredis: { stream: s }\n');
    expect(await runWorker([badModel, '--redis', server.url])).toBe(2);
    expect(err.at(-1)).toMatch(new RegExp(`^gradstream: ${badModel}: model\\.layers: expected`));
  });

  it('updater runs rounds with a worker until redis.maxVersions and checkpoints', async () => {
    capture();
    const path = join(dir, 'run.json');
    await writeFile(path, JSON.stringify(config));
    await produce(client, 'cli:points', 0, 100);
    const controller = new AbortController();
    const worker = runRedisWorker(client, {
      model: modelFromConfig(config.model).model,
      loss: mse(),
      stream: 'cli:points',
      group: 'g',
      consumer: 'w',
      prefix: 'cli',
      batchSize: 10,
      blockMs: 50,
      signal: controller.signal,
    });
    expect(await runUpdater([path, '--redis', server.url, '--json'])).toBe(0);
    controller.abort();
    expect((await worker).samples).toBeGreaterThanOrEqual(50);
    const rounds = out.map((l) => JSON.parse(l) as { type: string; version: number; samples: number });
    expect(rounds.map((r) => r.type)).toEqual(['round', 'round', 'round', 'round', 'round', 'end']);
    expect(rounds.at(-1)).toMatchObject({ version: 5, samples: 50, checkpoint: join(dir, 'updater.json') });
    const ckpt = JSON.parse(await readFile(join(dir, 'updater.json'), 'utf8')) as { modelVersion: number };
    expect(ckpt.modelVersion).toBe(5);
    // again: it resumes from the checkpoint, already at maxVersions
    expect(await runUpdater([path, '--redis', server.url])).toBe(0);
    expect(out.at(-1)).toMatch(/^updater: version 5, 50 samples applied, 0 stale and 0 duplicate contributions discarded; checkpoint /);
  });

  it('--serve PORT serves the live dashboard of the rounds', async () => {
    capture();
    const path = join(dir, 'serve.json');
    await writeFile(
      path,
      JSON.stringify({
        ...config,
        redis: { ...config.redis, stream: 'serve:points', prefix: 'serve', maxVersions: 3, checkpoint: 'serve-updater.json' },
      }),
    );
    expect(await runUpdater([path, '--redis', server.url, '--serve', 'http'])).toBe(2);
    expect(err.at(-1)).toBe('gradstream: --serve: expected a port in [0, 65535], received "http"');
    await produce(client, 'serve:points', 0, 50);
    const controller = new AbortController();
    const worker = runRedisWorker(client, {
      model: modelFromConfig(config.model).model,
      loss: mse(),
      stream: 'serve:points',
      group: 'g',
      consumer: 'w',
      prefix: 'serve',
      batchSize: 10,
      blockMs: 50,
      signal: controller.signal,
    });
    let page = '';
    const code = runUpdater([path, '--redis', server.url, '--serve', '0', '--json']);
    for (let i = 0; i < 100 && page === ''; i++) {
      const line = err.find((l) => l.startsWith('dashboard: '));
      if (line !== undefined) page = await (await fetch(line.slice('dashboard: '.length))).text();
      else await new Promise((r) => setTimeout(r, 20));
    }
    expect(await code).toBe(0);
    controller.abort();
    await worker;
    expect(page).toContain('<html');
    expect(out.map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['round', 'round', 'round', 'end']);
    expect(JSON.parse(out.at(-1)!)).toMatchObject({ version: 3, samples: 30 });
  });

  it('refuses a server that may roll back unless redis.allowNonDurableBroker; warns when no round comes', async () => {
    capture();
    const rdb = await startRedis(undefined, { persistence: 'rdb' });
    try {
      const path = join(dir, 'rdb.json');
      const redis = {
        ...config.redis,
        stream: 'rdb:points',
        prefix: 'rdb',
        maxVersions: 1,
        checkpoint: 'rdb-updater.json',
        stallWarningMs: 200,
      };
      await writeFile(path, JSON.stringify({ ...config, redis }));
      expect(await runUpdater([path, '--redis', rdb.url])).toBe(1);
      expect(err.at(-1)).toMatch(
        /^gradstream: redis persistence: expected appendonly yes with appendfsync always or everysec, .*received appendonly no, appendfsync everysec$/,
      );
      await writeFile(path, JSON.stringify({ ...config, redis: { ...redis, allowNonDurableBroker: true } }));
      const controller = new AbortController();
      const updater = runUpdater([path, '--redis', rdb.url]);
      // no worker, no data: the updater says so instead of waiting silently
      for (let i = 0; i < 100 && !err.some((l) => l.includes('warning')); i++) await new Promise((r) => setTimeout(r, 20));
      expect(err.find((l) => l.includes('warning'))).toMatch(
        /^gradstream: warning: no round for \d+\.\d s at version 0 \(0 samples applied, 0 contributions discarded since\): are the workers running, and is there data left\?$/,
      );
      const wclient = await connectClient(rdb.url);
      await produce(wclient, 'rdb:points', 0, 10);
      const worker = runRedisWorker(wclient, {
        model: modelFromConfig(config.model).model,
        loss: mse(),
        stream: 'rdb:points',
        group: 'g',
        consumer: 'w',
        prefix: 'rdb',
        batchSize: 10,
        blockMs: 50,
        signal: controller.signal,
      });
      expect(await updater).toBe(0);
      controller.abort();
      await worker;
      await wclient.close();
    } finally {
      await rdb.stop();
    }
  });

  it('exits 1 with a clear message when there is no Redis server', async () => {
    capture();
    const path = join(dir, 'run.json');
    await writeFile(path, JSON.stringify(config));
    expect(await runWorker([path, '--redis', `redis://127.0.0.1:${await freePort()}`])).toBe(1);
    expect(err.at(-1)).toMatch(/^gradstream: no Redis server at redis:\/\/127\.0\.0\.1:\d+ after 5 attempts$/);
  }, 20_000);
});
