import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyUpdates } from '../../src/core/optimizer.js';
import { dense } from '../../src/core/dense.js';
import { mse } from '../../src/core/losses/mse.js';
import { sgd } from '../../src/core/optimizers/sgd.js';
import { adam } from '../../src/core/optimizers/adam.js';
import { createParams, paramsFrom } from '../../src/core/params.js';
import { sequential } from '../../src/core/sequential.js';
import { readRedisRounds } from '../../src/redis/readRedisRounds.js';
import { runRedisUpdater, type RedisRound } from '../../src/redis/redisUpdater.js';
import { runRedisWorker } from '../../src/redis/redisWorker.js';
import { shardGradient } from '../../src/redis/shardGradient.js';
import { encodeF64 } from '../../src/redis/f64Base64.js';
import { connectClient, lineSample, produce, waitFor, type Client } from './helpers.js';
import { startRedis, type RedisServer } from './redisServer.js';

let server: RedisServer;
let client: Client;
let dir: string;

beforeAll(async () => {
  server = await startRedis();
  client = await connectClient(server.url);
  dir = await mkdtemp(join(tmpdir(), 'gradstream-redis-'));
});
afterAll(async () => {
  await client.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

const model = sequential([dense(1, 1)]);
const start = () => paramsFrom(model.layout, { '0.W': [[0]], '0.b': [0] });

describe('runRedisUpdater + runRedisWorker', () => {
  it('learns a hidden line online from a stream (two workers, synchronous rounds)', async () => {
    const stream = 'line:points';
    const rounds: RedisRound[] = [];
    const controller = new AbortController();
    const workers = ['w1', 'w2'].map(async (consumer) => {
      const c = await connectClient(server.url);
      try {
        return await runRedisWorker(c, {
          model,
          loss: mse(),
          stream,
          group: 'g',
          consumer,
          prefix: 'line',
          batchSize: 20,
          blockMs: 50,
          signal: controller.signal,
        });
      } finally {
        await c.close();
      }
    });
    const updater = runRedisUpdater(client, {
      model,
      optimizer: sgd({ lr: 0.5 }),
      params: start(),
      stream,
      group: 'g',
      prefix: 'line',
      checkpointPath: join(dir, 'line.json'),
      workers: 2,
      roundTimeoutMs: 2000,
      blockMs: 50,
      maxSamples: 2000,
      onRound: (r) => rounds.push({ ...r }),
    });
    // the producer adds the points while the run goes on
    for (let i = 0; i < 2000; i += 200) await produce(client, stream, i, i + 200);
    const result = await updater;
    controller.abort();
    const done = await Promise.all(workers);
    expect(result.samples).toBe(2000);
    expect(result.version).toBeGreaterThanOrEqual(50); // 40 samples a round, fewer when the workers drain the stream
    expect(result.stale + result.duplicates).toBe(0);
    expect(result.params.data[0]).toBeCloseTo(3, 3);
    expect(result.params.data[1]).toBeCloseTo(-2, 3);
    expect(rounds.at(-1)!.loss).toBeLessThan(1e-5);
    expect(done[0]!.samples + done[1]!.samples).toBe(2000);
    // every entry acknowledged: nothing pending in the group
    const pending = (await client.sendCommand(['XPENDING', stream, 'g'])) as unknown[];
    expect(pending[0]).toBe(0);
    // the checkpoint holds the final version and every consumer's last applied ID
    const ckpt = JSON.parse(await readFile(join(dir, 'line.json'), 'utf8')) as {
      modelVersion: number;
      samples: number;
      applied: Record<string, string>;
    };
    expect(ckpt.modelVersion).toBe(result.version);
    expect(ckpt.samples).toBe(2000);
    expect(Object.keys(ckpt.applied).sort()).toEqual(['w1', 'w2']);
  });

  it('equals a single-process run that averages the same shard gradients (to round-off)', async () => {
    const stream = 'eq:points';
    const ids = await produce(client, stream, 0, 600);
    const byId = new Map(ids.map((id, i) => [id, lineSample(i)]));
    const controller = new AbortController();
    const workers = ['a', 'b', 'c'].map(async (consumer) => {
      const c = await connectClient(server.url);
      try {
        return await runRedisWorker(c, {
          model,
          loss: mse(),
          stream,
          group: 'g',
          consumer,
          prefix: 'eq',
          batchSize: 25,
          blockMs: 50,
          signal: controller.signal,
        });
      } finally {
        await c.close();
      }
    });
    const result = await runRedisUpdater(client, {
      model,
      optimizer: adam({ lr: 0.05 }),
      params: start(),
      stream,
      group: 'g',
      prefix: 'eq',
      checkpointPath: join(dir, 'eq.json'),
      workers: 3,
      roundTimeoutMs: 5000,
      blockMs: 50,
      maxSamples: 600,
    });
    controller.abort();
    await Promise.all(workers);
    const rounds = await readRedisRounds(client, 'eq');
    expect(rounds).toHaveLength(8);
    // Single process: per round, the mean gradient over the union of the round's shards.
    const params = start();
    const opt = adam({ lr: 0.05 });
    const state = opt.init(params);
    const grads = createParams(model.layout);
    const fn = shardGradient(model, mse());
    for (const round of rounds) {
      const all = round.flatMap((c) => c.ids);
      expect(round).toHaveLength(3);
      const x = Float64Array.from(all, (id) => byId.get(id)!.x);
      const y = Float64Array.from(all, (id) => byId.get(id)!.y);
      fn(params, x, y, all.length, grads);
      opt.update(grads.data, state, params);
      applyUpdates(params, grads.data);
    }
    for (let i = 0; i < params.data.length; i++) expect(Math.abs(result.params.data[i]! - params.data[i]!)).toBeLessThan(1e-12);
    // each of the 600 samples in exactly one round
    expect(new Set(rounds.flat().flatMap((c) => c.ids)).size).toBe(600);
  });
});

describe('a new run under the same prefix', () => {
  it('workers follow an updater that starts again without a checkpoint (version 0 again)', async () => {
    const stream = 'again:points';
    await produce(client, stream, 0, 200);
    const controller = new AbortController();
    const c = await connectClient(server.url);
    const worker = runRedisWorker(c, {
      model,
      loss: mse(),
      stream,
      group: 'g',
      consumer: 'w',
      prefix: 'again',
      batchSize: 10,
      blockMs: 30,
      resendAfterMs: 60_000,
      signal: controller.signal,
    });
    const opts = {
      model,
      optimizer: sgd({ lr: 0.5 }),
      params: start(),
      stream,
      group: 'g',
      prefix: 'again',
      checkpointPath: join(dir, 'again.json'),
      blockMs: 30,
      maxVersions: 4,
    };
    const first = await runRedisUpdater(client, opts);
    await rm(join(dir, 'again.json'));
    const second = await runRedisUpdater(client, { ...opts, maxVersions: 3 });
    controller.abort();
    expect((await worker).contributions).toBeGreaterThanOrEqual(7);
    await c.close();
    expect([first.version, first.samples, second.version, second.samples]).toEqual([4, 40, 3, 30]);
  }, 15_000);
});

describe('redisUpdaterTraining', () => {
  it('is a live Training handle: steps are versions, pause holds the rounds, stop ends after a round', async () => {
    const { redisUpdaterTraining } = await import('../../src/redis/redisUpdaterTraining.js');
    const stream = 'live:points';
    await produce(client, stream, 0, 400);
    const controller = new AbortController();
    const c = await connectClient(server.url);
    const worker = runRedisWorker(c, {
      model,
      loss: mse(),
      stream,
      group: 'g',
      consumer: 'w',
      prefix: 'live',
      batchSize: 10,
      blockMs: 50,
      signal: controller.signal,
    });
    const training = redisUpdaterTraining(client, {
      model,
      optimizer: sgd({ lr: 0.5 }),
      params: start(),
      stream,
      group: 'g',
      prefix: 'live',
      checkpointPath: join(dir, 'live.json'),
      blockMs: 50,
      keepRounds: 3,
    });
    const steps: number[] = [];
    const checkpoints: number[] = [];
    training.steps$.subscribe((s) => steps.push(s.step));
    training.checkpoints$.subscribe((k) => checkpoints.push(k.step));
    training.start();
    await new Promise((r) => setTimeout(r, 300));
    training.pause();
    await new Promise((r) => setTimeout(r, 200));
    const atPause = steps.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(steps.length).toBeLessThanOrEqual(atPause + 1); // at most the round under way
    training.resume();
    await produce(client, stream, 400, 500); // more data after the pause
    await new Promise((r) => setTimeout(r, 200));
    const result = await training.stop();
    controller.abort();
    await worker;
    await c.close();
    expect(steps.length).toBeGreaterThan(atPause);
    expect(steps).toEqual(steps.map((_, i) => i + 1));
    expect(checkpoints).toEqual(steps);
    expect(result.stopReason).toBe('stopped');
    expect(result.step).toBe(steps.at(-1));
    // keepRounds: 3 — only the last three rounds are kept
    const kept = await readRedisRounds(client, 'live');
    expect(kept.length).toBe(steps.length);
    expect(Object.keys(kept).map(Number)).toEqual([steps.length - 3, steps.length - 2, steps.length - 1]);
  });
});

describe('the updater on hand-written contributions', () => {
  const grad = (...g: number[]): string => encodeF64(Float64Array.from(g));
  const contribution = (consumer: string, version: number, ids: string[], g: string): string[] => [
    'consumer',
    consumer,
    'version',
    String(version),
    'count',
    String(ids.length),
    'loss',
    '1',
    'ids',
    ids.join(','),
    'grad',
    g,
  ];
  /** XADDs the contributions in one transaction: the updater reads them all at once. */
  const send = async (entries: string[][]): Promise<void> => {
    const multi = client.multi();
    for (const fields of entries) multi.addCommand(['XADD', 'hand:grads', '*', ...fields]);
    await multi.exec();
  };

  it('discards stale and duplicate contributions, closes a short round after roundTimeoutMs, weights by counts', async () => {
    const stream = 'hand:points';
    const d = await produce(client, stream, 0, 4);
    await client.sendCommand(['XGROUP', 'CREATE', stream, 'g', '0']);
    await client.sendCommand(['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '4', 'STREAMS', stream, '>']); // delivered
    const rounds: RedisRound[] = [];
    const updater = runRedisUpdater(client, {
      model,
      optimizer: sgd({ lr: 1 }),
      params: createParams(model.layout),
      stream,
      group: 'g',
      prefix: 'hand',
      checkpointPath: join(dir, 'hand.json'),
      workers: 2,
      roundTimeoutMs: 300,
      blockMs: 50,
      maxVersions: 2,
      onRound: (r) => rounds.push({ ...r, params: createParams(model.layout) }),
    });
    await waitFor(async () => Number(await client.sendCommand(['XLEN', 'hand:versions'])) === 1, 10_000, 'version 0');
    await send([
      ['consumer', 'c1', 'version', '0'], // not a contribution: stale
      contribution('c1', 7, [d[0]!], grad(9, 9)), // another version: stale
      contribution('c1', 0, [d[0]!], grad(1, 2)),
      contribution('c1', 0, [d[1]!], grad(9, 9)), // a worker already in the round: duplicate
      contribution('c2', 0, [d[0]!], grad(9, 9)), // an entry already in the round: duplicate
    ]);
    await waitFor(() => rounds.length === 1, 10_000, 'round 1'); // one worker of two: closed by the timeout
    await send([
      contribution('c2', 0, [d[1]!], grad(9, 9)), // stale now
      contribution('c1', 1, [d[0]!], grad(9, 9)), // an entry of the round before: duplicate
      contribution('c1', 1, [d[1]!], grad(2, 0)),
      contribution('c2', 1, [d[2]!, d[3]!], grad(5, 4)),
    ]);
    const result = await updater;
    expect(rounds.map((r) => [r.version, r.contributions, r.roundSamples, r.stale, r.duplicates])).toEqual([
      [1, 1, 1, 2, 2],
      [2, 2, 3, 3, 3],
    ]);
    expect(result).toMatchObject({ version: 2, samples: 4, stale: 3, duplicates: 3 });
    // sgd lr 1 from 0: −[1, 2], then −(1·[2, 0] + 2·[5, 4]) / 3
    expect(result.params.data[0]).toBeCloseTo(-5, 12);
    expect(result.params.data[1]).toBeCloseTo(-2 - 8 / 3, 12);
    expect(await readRedisRounds(client, 'hand')).toEqual([
      [{ consumer: 'c1', ids: [d[0]] }],
      [
        { consumer: 'c1', ids: [d[1]] },
        { consumer: 'c2', ids: [d[2], d[3]] },
      ],
    ]);
    const pending = (await client.sendCommand(['XPENDING', stream, 'g'])) as unknown[];
    expect(pending[0]).toBe(0);
  });
});
