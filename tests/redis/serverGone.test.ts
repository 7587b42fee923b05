/** A Redis server that goes away: runs error clearly within their timeout; nothing half-written. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dense, mse, paramsFrom, sequential, sgd } from '../../src/index.js';
import { NOT_READY } from '../../src/streams/batchSource.js';
import { fromRedisStream } from '../../src/redis/fromRedisStream.js';
import { runRedisUpdater } from '../../src/redis/redisUpdater.js';
import { runRedisWorker } from '../../src/redis/redisWorker.js';
import { readUpdaterCheckpoint } from '../../src/redis/updaterCheckpoint.js';
import { connectClient, produce, waitFor } from './helpers.js';
import { startRedis } from './redisServer.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradstream-gone-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a Redis server that goes away', () => {
  it('fromRedisStream: whenReady rejects within blockMs + timeoutMs even with a client that reconnects forever', async () => {
    const server = await startRedis();
    const client = createClient({ url: server.url }); // default: reconnects forever, queues commands
    client.on('error', () => {});
    await client.connect();
    const reader = fromRedisStream(client, {
      stream: 's',
      group: 'g',
      consumer: 'c',
      inputs: 1,
      outputs: 1,
      batchSize: 4,
      blockMs: 50,
      timeoutMs: 300,
    }).open();
    expect(reader.next()).toBe(NOT_READY);
    const ready = reader.whenReady!().then(
      () => null,
      (e: unknown) => e,
    ); // settles once, handled at once
    await new Promise((r) => setTimeout(r, 100));
    await server.stop();
    const t0 = Date.now();
    // the blocked read fails, or — when the server went while the reader was still starting — its first command or connection
    expect(String(await ready)).toMatch(
      /^GradstreamError: redis (XREADGROUP|XGROUP|XPENDING|XAUTOCLAIM|connect): expected a (reply from|connection to) the Redis server(, received Socket closed unexpectedly| within \d+ ms, received none \(is the server reachable\?\))$/,
    );
    expect(Date.now() - t0).toBeLessThan(2000);
    reader.close!();
    client.destroy();
  });

  it('updater and worker: reject; the checkpoint on disk stays the last complete one', async () => {
    const server = await startRedis();
    const client = await connectClient(server.url);
    const wclient = await connectClient(server.url);
    await produce(client, 'pts', 0, 4000);
    const model = sequential([dense(1, 1)]);
    const path = join(dir, 'updater.json');
    let rounds = 0;
    const worker = runRedisWorker(wclient, {
      model,
      loss: mse(),
      stream: 'pts',
      group: 'g',
      consumer: 'w',
      prefix: 'gone',
      batchSize: 4,
      blockMs: 50,
      timeoutMs: 500,
    });
    const updater = runRedisUpdater(client, {
      model,
      optimizer: sgd({ lr: 0.1 }),
      params: paramsFrom(model.layout, { '0.W': [[0]], '0.b': [0] }),
      stream: 'pts',
      group: 'g',
      prefix: 'gone',
      checkpointPath: path,
      blockMs: 50,
      timeoutMs: 500,
      onRound: () => (rounds += 1),
    });
    const outcomes = Promise.allSettled([updater, worker]);
    await waitFor(() => rounds >= 20, 20_000, '20 rounds');
    server.process.kill('SIGKILL');
    const [u, w] = await outcomes;
    expect(u.status).toBe('rejected');
    expect(w.status).toBe('rejected');
    expect(String((u as PromiseRejectedResult).reason)).toMatch(/^GradstreamError: redis \w+: expected a reply from the Redis server/);
    expect(String((w as PromiseRejectedResult).reason)).toMatch(/^GradstreamError: redis \w+: expected a reply from the Redis server/);
    const ckpt = (await readUpdaterCheckpoint(path, model.layout))!;
    expect(ckpt.version).toBeGreaterThanOrEqual(20);
    expect(ckpt.samples).toBe(ckpt.version * 4);
    expect((await readdir(dir)).filter((f) => f !== 'updater.json')).toEqual([]); // no temporary file left
    client.destroy();
    wclient.destroy();
    await server.stop(); // (gone already: removes its directory)
  });
});
