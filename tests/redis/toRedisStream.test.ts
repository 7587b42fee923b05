import { lastValueFrom, map, of, pipe, take, toArray, throwError } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dense,
  forward,
  fullBatch,
  gradient,
  loss,
  metric,
  mse,
  paramsFrom,
  rmse,
  sequential,
  sgd,
  train,
  update,
} from '../../src/index.js';
import { createStepRecord } from '../../src/streams/stepRecord.js';
import { streamEntries } from '../../src/redis/streamEntries.js';
import { toRedisStream } from '../../src/redis/toRedisStream.js';
import { connectClient, type Client } from './helpers.js';
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

const entries = async (stream: string) => streamEntries(await client.sendCommand(['XRANGE', stream, '-', '+']));

describe('toRedisStream', () => {
  it('publishes step records and, every n steps, the weights', async () => {
    const model = sequential([dense(1, 1)]);
    const records = await lastValueFrom(
      train({
        params: paramsFrom(model.layout, { '0.W': [[0]], '0.b': [0] }),
        data: fullBatch([[1], [2]], [[1], [4]]),
        pipeline: pipe(
          forward(model),
          loss(mse()),
          gradient(model, mse()),
          update(sgd({ lr: 0.05 })),
          metric('rmse', rmse),
          toRedisStream(client, { stream: 'run:steps', every: 2, weightsEvery: 3, maxInFlight: 2 }),
          map((r) => ({ loss: r.loss!, w: r.params.data[0]! })),
        ),
        maxSteps: 6,
      }).pipe(toArray()),
    );
    const steps = await entries('run:steps');
    expect(steps.map((e) => e.fields.step)).toEqual(['0', '2', '4', '6']);
    expect(steps.map((e) => e.fields.type)).toEqual(['step', 'step', 'step', 'end']);
    expect(steps[3]!.fields.stopReason).toBe('maxSteps');
    expect(Number(steps[1]!.fields.loss)).toBe(records[2]!.loss);
    expect(Number(steps[0]!.fields.lr)).toBe(0.05);
    expect(JSON.parse(steps[0]!.fields.metrics!)).toEqual({ rmse: Math.sqrt(records[0]!.loss) });
    const weights = await entries('run:steps:model');
    expect(weights.map((e) => e.fields.step)).toEqual(['0', '3', '6']);
    const last = JSON.parse(weights[2]!.fields.params!) as Record<string, { shape: number[]; data: number[] }>;
    expect(last['0.W']!.data).toEqual([records[6]!.w]);
    expect(last['0.b']!.shape).toEqual([1]);
  });

  it('trims the stream to about maxLen; marks epoch ends; completes after its writes', async () => {
    const r = createStepRecord(
      paramsFrom(sequential([dense(1, 1)]).layout, { '0.W': [[1]], '0.b': [0] }),
      { x: new Float64Array(1), y: new Float64Array(1), size: 1 },
      { epochEnd: true, loss: 0.5 },
    );
    const many = Array.from({ length: 300 }, (_, i) => ({ ...r, step: i }));
    await lastValueFrom(of(...many).pipe(toRedisStream(client, { stream: 'trim', maxLen: 10 })));
    const len = Number(await client.sendCommand(['XLEN', 'trim']));
    expect(len).toBeGreaterThanOrEqual(10);
    expect(len).toBeLessThan(300);
    expect((await entries('trim')).at(-1)!.fields).toMatchObject({ step: '299', epochEnd: '1', loss: '0.5', type: 'step' });
  });

  it('passes errors through, stops on unsubscribe, refuses bad options', async () => {
    await expect(lastValueFrom(throwError(() => new Error('boom')).pipe(toRedisStream(client, { stream: 'x' })))).rejects.toThrow('boom');
    const r = createStepRecord(paramsFrom(sequential([dense(1, 1)]).layout, { '0.W': [[1]], '0.b': [0] }), {
      x: new Float64Array(1),
      y: new Float64Array(1),
      size: 1,
    });
    expect(await lastValueFrom(of(r, r, r).pipe(toRedisStream(client, { stream: 'y' }), take(1), toArray()))).toHaveLength(1);
    expect(() => toRedisStream(client, { stream: 'x', maxLen: 0 })).toThrow('toRedisStream.maxLen: expected an integer ≥ 1, received 0');
    expect(() => toRedisStream(client, { stream: 'x', weightsEvery: 1.5 })).toThrow(
      'toRedisStream.weightsEvery: expected an integer ≥ 1, received 1.5',
    );
  });

  it('errors the run when a write fails', async () => {
    await client.sendCommand(['SET', 'notastream', '1']);
    const r = createStepRecord(paramsFrom(sequential([dense(1, 1)]).layout, { '0.W': [[1]], '0.b': [0] }), {
      x: new Float64Array(1),
      y: new Float64Array(1),
      size: 1,
    });
    await expect(lastValueFrom(of(r).pipe(toRedisStream(client, { stream: 'notastream' })))).rejects.toThrow(
      /^redis XADD: expected a reply from the Redis server, received WRONGTYPE/,
    );
  });
});
