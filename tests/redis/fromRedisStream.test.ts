import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, pipe, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dense, forward, gradient, loss, mse, paramsFrom, sequential, sgd, train, update, type StepRecord } from '../../src/index.js';
import { checkpoint } from '../../src/node.js';
import { NOT_READY, type BatchReader } from '../../src/streams/batchSource.js';
import type { Batch } from '../../src/streams/stepRecord.js';
import { ackOnCheckpoint } from '../../src/redis/ackOnCheckpoint.js';
import { fromRedisStream, isRedisBatch, type RedisBatch } from '../../src/redis/fromRedisStream.js';
import { streamEntries } from '../../src/redis/streamEntries.js';
import { connectClient, produce, type Client } from './helpers.js';
import { startRedis, type RedisServer } from './redisServer.js';

let server: RedisServer;
let client: Client;
let dir: string;

beforeAll(async () => {
  server = await startRedis();
  client = await connectClient(server.url);
  dir = await mkdtemp(join(tmpdir(), 'gradstream-source-'));
});
afterAll(async () => {
  await client.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The next batch of an asynchronous reader (waits while NOT_READY). */
async function nextBatch(reader: BatchReader): Promise<Batch | null> {
  for (;;) {
    const b = reader.next();
    if (b !== NOT_READY) return b;
    await reader.whenReady!();
  }
}

const pendingCount = async (stream: string, group: string): Promise<number> =>
  ((await client.sendCommand(['XPENDING', stream, group])) as [number])[0];

describe('fromRedisStream', () => {
  it('trains online with train(): recovers a hidden line; acknowledges what a checkpoint covers', async () => {
    const stream = 'online:points';
    const model = sequential([dense(1, 1)]);
    const data = fromRedisStream(client, {
      stream,
      group: 'g',
      consumer: 'solo',
      inputs: 1,
      outputs: 1,
      batchSize: 16,
      blockMs: 50,
      idleEndMs: 400,
    });
    const ckpt = checkpoint<StepRecord>({ path: join(dir, 'online.json'), every: 10 });
    const run = lastValueFrom(
      train({
        params: paramsFrom(model.layout, { '0.W': [[0]], '0.b': [0] }),
        data,
        pipeline: pipe(
          forward(model),
          loss(mse()),
          gradient(model, mse()),
          update(sgd({ lr: 0.3 })),
          ckpt,
          ackOnCheckpoint(data, ckpt.written$),
        ),
      }).pipe(toArray()),
    );
    for (let i = 0; i < 800; i += 100) await produce(client, stream, i, i + 100); // while it trains
    const records = await run;
    const last = records.at(-1)!;
    expect(last.stopReason).toBe('dataEnd');
    expect(last.step).toBe(50);
    expect(last.params.data[0]).toBeCloseTo(3, 2);
    expect(last.params.data[1]).toBeCloseTo(-2, 2);
    // the final checkpoint covers every step that updated the weights: nothing left pending
    expect(await pendingCount(stream, 'g')).toBe(0);
  });

  it('reads its own pending entries first after a restart, then new ones', async () => {
    const stream = 'restart:points';
    const ids = await produce(client, stream, 0, 8);
    const a = fromRedisStream(client, { stream, group: 'g', consumer: 'c1', inputs: 1, outputs: 1, batchSize: 4, blockMs: 50 });
    let reader = a.open();
    const first = (await nextBatch(reader)) as RedisBatch;
    expect(first.ids).toEqual(ids.slice(0, 4));
    reader.close!(); // a crash: nothing acknowledged
    const more = await produce(client, stream, 8, 12);
    reader = a.open();
    const seen: string[] = [];
    for (let k = 0; k < 3; k++) seen.push(...((await nextBatch(reader)) as RedisBatch).ids);
    reader.close!();
    // the pending ones (read before, maybe all 8) come back first, in order, then the new ones
    expect(seen).toEqual([...ids, ...more]);
    expect(isRedisBatch(first)).toBe(true);
    expect(isRedisBatch({ x: new Float64Array(0), y: new Float64Array(0), size: 0 })).toBe(false);
  });

  it('takes over the entries of a dead consumer after claimIdleMs', async () => {
    const stream = 'claim:points';
    const ids = await produce(client, stream, 0, 6);
    const dead = fromRedisStream(client, { stream, group: 'g', consumer: 'dead', inputs: 1, outputs: 1, batchSize: 6, blockMs: 50 }).open();
    await nextBatch(dead);
    dead.close!();
    expect(await pendingCount(stream, 'g')).toBe(6);
    const alive = fromRedisStream(client, {
      stream,
      group: 'g',
      consumer: 'alive',
      inputs: 1,
      outputs: 1,
      batchSize: 6,
      blockMs: 50,
      claimIdleMs: 200,
    });
    const t0 = Date.now();
    const reader = alive.open();
    const b = (await nextBatch(reader)) as RedisBatch;
    reader.close!();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    expect([...b.ids].sort()).toEqual([...ids].sort());
    await alive.ack(b.ids);
    expect(await pendingCount(stream, 'g')).toBe(0);
  });

  it('never claims back its own delivered entries while they wait for a checkpoint', async () => {
    const stream = 'own:points';
    const first = await produce(client, stream, 0, 4);
    const reader = fromRedisStream(client, {
      stream,
      group: 'g',
      consumer: 'me',
      inputs: 1,
      outputs: 1,
      batchSize: 4,
      blockMs: 30,
      claimIdleMs: 60,
      readAhead: 1,
    }).open();
    expect(((await nextBatch(reader)) as RedisBatch).ids).toEqual(first);
    await new Promise((r) => setTimeout(r, 250)); // the 4 entries are idle past claimIdleMs, unacknowledged
    const second = await produce(client, stream, 4, 8);
    expect(((await nextBatch(reader)) as RedisBatch).ids).toEqual(second);
    reader.close!();
    expect(await pendingCount(stream, 'g')).toBe(8);
  });

  it('sends malformed entries to the dead-letter stream with the reason; training data goes on', async () => {
    const stream = 'bad:points';
    const add = (...fields: string[]) => client.sendCommand(['XADD', stream, '*', ...fields]);
    await add('x', '[0.5]', 'y', '[1]');
    const bad = [
      [await add('x', '[1, 2]', 'y', '[1]'), 'x: expected 1 number, received 2'],
      [await add('x', 'oops', 'y', '[1]'), 'x: expected JSON, received "oops"'],
      [await add('y', '[1]'), 'x: expected a field, received none'],
      [await add('x', '[0.1]', 'y', '["1"]'), 'y[0]: expected a finite number, received "1"'],
      [await add('x', '[0.1]', 'y', '{}'), 'y: expected 1 number, received object'],
    ];
    await add('x', '[0.25]', 'y', '2');
    const reader = fromRedisStream(client, { stream, group: 'g', consumer: 'c', inputs: 1, outputs: 1, batchSize: 2, blockMs: 50 }).open();
    const b = (await nextBatch(reader))!;
    reader.close!();
    expect(Array.from(b.x)).toEqual([0.5, 0.25]);
    expect(Array.from(b.y)).toEqual([1, 2]);
    const dead = streamEntries(await client.sendCommand(['XRANGE', `${stream}:dead`, '-', '+']));
    expect(dead.map((e) => [e.fields.id, e.fields.reason])).toEqual(bad);
    expect(dead[0]!.fields).toMatchObject({ stream, group: 'g', consumer: 'c', entry: '{"x":"[1, 2]","y":"[1]"}' });
    // dead-lettered entries are acknowledged; the two good ones wait for a checkpoint
    expect(await pendingCount(stream, 'g')).toBe(2);
  });

  it('reads ahead at most readAhead batches: the ring wraps, the pump waits for space; close ends it', async () => {
    const stream = 'ring:points';
    const ids = await produce(client, stream, 0, 7);
    const reader = fromRedisStream(client, {
      stream,
      group: 'g',
      consumer: 'c',
      inputs: 1,
      outputs: 1,
      batchSize: 2,
      blockMs: 20,
      readAhead: 2,
    }).open();
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      const b = (await nextBatch(reader)) as RedisBatch;
      expect(b.size).toBe(2);
      got.push(...b.ids);
      expect(reader.cursor().batchIndex).toBe(i);
    }
    expect(got).toEqual(ids.slice(0, 6));
    // the seventh entry is read, but no full batch comes
    await new Promise((r) => setTimeout(r, 100));
    expect(reader.next()).toBe(NOT_READY);
    expect(await pendingCount(stream, 'g')).toBe(7);
    reader.close!();
    expect(reader.next()).toBe(null);
    await reader.whenReady!();
  });

  it('a full ring holds the pump until a batch is taken or the reader closes', async () => {
    const stream = 'full:points';
    await produce(client, stream, 0, 10);
    const reader = fromRedisStream(client, {
      stream,
      group: 'g',
      consumer: 'c',
      inputs: 1,
      outputs: 1,
      batchSize: 2,
      blockMs: 20,
      readAhead: 2,
    }).open();
    await reader.whenReady!();
    await new Promise((r) => setTimeout(r, 150));
    expect(await pendingCount(stream, 'g')).toBe(4); // the ring is full: nothing more read
    expect(reader.next()).not.toBe(NOT_READY);
    await new Promise((r) => setTimeout(r, 150));
    expect(await pendingCount(stream, 'g')).toBe(6); // one batch of space: read
    reader.close!();
    // what is buffered is still handed out, then the data ends
    expect(reader.next()).not.toBe(NOT_READY);
    expect(reader.next()).not.toBe(NOT_READY);
    expect(reader.next()).toBe(null);
  });

  it('ends with the data after idleEndMs without entries', async () => {
    const reader = fromRedisStream(client, {
      stream: 'empty:points',
      group: 'g',
      consumer: 'c',
      inputs: 1,
      outputs: 1,
      batchSize: 2,
      blockMs: 20,
      idleEndMs: 100,
    }).open();
    expect(reader.next()).toBe(NOT_READY);
    expect(await nextBatch(reader)).toBe(null);
    expect(reader.cursor()).toEqual({ epoch: 0, batchIndex: -1, epochEnd: false });
    expect(reader.dropped!()).toBe(0);
    reader.close!();
  });

  it('refuses bad options, naming the field', () => {
    const base = { stream: 's', group: 'g', consumer: 'c', inputs: 1, outputs: 1 };
    expect(() => fromRedisStream(client, { ...base, batchSize: 0 })).toThrow(
      'fromRedisStream.batchSize: expected an integer > 0, received 0',
    );
    expect(() => fromRedisStream(client, { ...base, consumer: '' })).toThrow(
      'fromRedisStream.consumer: expected a non-empty string, received ""',
    );
    expect(() => fromRedisStream(client, { ...base, claimIdleMs: -1 })).toThrow(
      'fromRedisStream.claimIdleMs: expected an integer > 0 or Infinity, received -1',
    );
  });
});
