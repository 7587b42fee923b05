import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dense } from '../../src/core/dense.js';
import { mse } from '../../src/core/losses/mse.js';
import { createParams, paramsFrom } from '../../src/core/params.js';
import { sequential } from '../../src/core/sequential.js';
import { decodeF64, encodeF64 } from '../../src/redis/f64Base64.js';
import { runRedisWorker } from '../../src/redis/redisWorker.js';
import { shardGradient } from '../../src/redis/shardGradient.js';
import { streamEntries } from '../../src/redis/streamEntries.js';
import { connectClient, lineSample, produce, waitFor, type Client } from './helpers.js';
import { startRedis, type RedisServer } from './redisServer.js';

let server: RedisServer;
let client: Client;

beforeAll(async () => {
  server = await startRedis();
  client = await connectClient(server.url);
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

const model = sequential([dense(1, 1)]);

describe('runRedisWorker on hand-written versions', () => {
  it('contributes the drained stream, dead-letters bad entries, contributes again after resendAfterMs', async () => {
    const stream = 'solo:points';
    const weights = paramsFrom(model.layout, { '0.W': [[0.5]], '0.b': [-1] });
    await client.sendCommand(['XADD', 'solo:versions', '*', 'version', '0', 'params', encodeF64(weights.data)]);
    const first = await produce(client, stream, 0, 3);
    await client.sendCommand(['XADD', stream, '*', 'x', '[1, 2]', 'y', '[1]']);
    const controller = new AbortController();
    const seen: { version: number; count: number; loss: number }[] = [];
    const worker = runRedisWorker(client, {
      model,
      loss: mse(),
      stream,
      group: 'g',
      consumer: 'w',
      prefix: 'solo',
      batchSize: 10,
      blockMs: 30,
      resendAfterMs: 200,
      signal: controller.signal,
      onContribution: (c) => seen.push(c),
    });
    await waitFor(() => seen.length === 1, 10_000, 'the first contribution');
    const second = await produce(client, stream, 3, 5); // no new version: contributed again for version 0
    await waitFor(() => seen.length === 2, 10_000, 'the second contribution');
    controller.abort();
    expect(await worker).toEqual({ contributions: 2, samples: 5, deadLettered: 1 });
    const grads = streamEntries(await client.sendCommand(['XRANGE', 'solo:grads', '-', '+']));
    const fn = shardGradient(model, mse());
    const expected = createParams(model.layout);
    for (const [k, ids] of [first, second].entries()) {
      const samples = ids.map((_, i) => lineSample(k * 3 + i));
      const x = Float64Array.from(samples, (s) => s.x);
      const y = Float64Array.from(samples, (s) => s.y);
      const loss = fn(weights, x, y, ids.length, expected);
      expect(grads[k]!.fields).toMatchObject({ version: '0', consumer: 'w', count: String(ids.length), ids: ids.join(',') });
      expect(Number(grads[k]!.fields.loss)).toBeCloseTo(loss, 12);
      expect(seen[k]).toEqual({ version: 0, count: ids.length, loss: Number(grads[k]!.fields.loss) });
      expect(Array.from(decodeF64(grads[k]!.fields.grad!, new Float64Array(2), 'grad'))).toEqual(Array.from(expected.data));
    }
    expect(grads).toHaveLength(2);
    expect(Number(await client.sendCommand(['XLEN', `${stream}:dead`]))).toBe(1);
  });

  it('a newer version is contributed for at once; an older one (a new run) too', async () => {
    const stream = 'vers:points';
    const publish = (version: number): Promise<unknown> =>
      client.sendCommand(['XADD', 'vers:versions', '*', 'version', String(version), 'params', encodeF64(new Float64Array(2))]);
    await publish(3);
    await produce(client, stream, 0, 2);
    const controller = new AbortController();
    const seen: number[] = [];
    const worker = runRedisWorker(client, {
      model,
      loss: mse(),
      stream,
      group: 'g',
      consumer: 'w',
      prefix: 'vers',
      batchSize: 2,
      blockMs: 30,
      resendAfterMs: 60_000,
      signal: controller.signal,
      onContribution: (c) => seen.push(c.version),
    });
    await waitFor(() => seen.length === 1, 10_000, 'version 3');
    await produce(client, stream, 2, 4);
    await publish(4);
    await waitFor(() => seen.length === 2, 10_000, 'version 4');
    await produce(client, stream, 4, 6);
    await publish(0);
    await waitFor(() => seen.length === 3, 10_000, 'version 0 of a new run');
    controller.abort();
    expect(seen).toEqual([3, 4, 0]);
    expect(await worker).toEqual({ contributions: 3, samples: 6, deadLettered: 0 });
  });

  it('refuses a bad batchSize, naming the field', async () => {
    await expect(
      runRedisWorker(client, { model, loss: mse(), stream: 's', group: 'g', consumer: 'c', prefix: 'p', batchSize: 0 }),
    ).rejects.toThrow('worker.batchSize: expected an integer ≥ 1, received 0');
  });
});
