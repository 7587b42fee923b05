/** The pure pieces of the Redis module: reply parsing, ID order, float codec, updater checkpoints. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dense } from '../../src/core/dense.js';
import { sgd } from '../../src/core/optimizers/sgd.js';
import { paramsFrom } from '../../src/core/params.js';
import { sequential } from '../../src/core/sequential.js';
import { compareStreamIds } from '../../src/redis/compareStreamIds.js';
import { decodeF64, encodeF64 } from '../../src/redis/f64Base64.js';
import { readReplyEntries, streamEntries } from '../../src/redis/streamEntries.js';
import { runRedisUpdater } from '../../src/redis/redisUpdater.js';
import { readUpdaterCheckpoint, writeUpdaterCheckpoint } from '../../src/redis/updaterCheckpoint.js';
import type { RedisClientLike } from '../../src/redis/redisClient.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradstream-codecs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stream replies', () => {
  const entries = [
    ['1-0', ['x', '[1]', 'y', '2']],
    ['2-0', null],
  ];
  it('reads RESP2 arrays, RESP3 maps (objects and Maps) and timeouts', () => {
    const expected = [
      { id: '1-0', fields: { x: '[1]', y: '2' } },
      { id: '2-0', fields: {} },
    ];
    expect(streamEntries(entries)).toEqual(expected);
    expect(readReplyEntries([['s', entries]])).toEqual(expected);
    expect(readReplyEntries({ s: entries })).toEqual(expected);
    expect(readReplyEntries(new Map([['s', entries]]))).toEqual(expected);
    expect(readReplyEntries(null)).toEqual([]);
    expect(readReplyEntries([])).toEqual([]);
    expect(readReplyEntries(['junk'])).toEqual([]);
    expect(streamEntries('junk')).toEqual([]);
    expect(streamEntries([[1, []], 'x'])).toEqual([]);
  });

  it('orders stream IDs numerically', () => {
    expect(compareStreamIds('10-0', '9-5')).toBe(1);
    expect(compareStreamIds('9-5', '10-0')).toBe(-1);
    expect(compareStreamIds('7-10', '7-9')).toBe(1);
    expect(compareStreamIds('7-9', '7-10')).toBe(-1);
    expect(compareStreamIds('7-9', '7-9')).toBe(0);
  });
});

describe('float64 codec', () => {
  it('round-trips exactly, NaN and infinities included; refuses a wrong length', () => {
    const v = Float64Array.from([0.1, -0, Math.PI, NaN, Infinity, -Infinity, 5e-324]);
    const out = decodeF64(encodeF64(v), new Float64Array(7), 'p');
    expect(Array.from(out)).toEqual(Array.from(v));
    expect(Object.is(out[1], -0)).toBe(true);
    expect(() => decodeF64(encodeF64(v.subarray(1)), new Float64Array(7), 'grad')).toThrow(
      'grad: expected 7 float64 values (base64), received 48 bytes',
    );
  });
});

describe('updater checkpoints', () => {
  const model = sequential([dense(1, 1)]);
  const params = paramsFrom(model.layout, { '0.W': [[1.5]], '0.b': [-0.25] });
  const opt = sgd({ lr: 0.1 });
  const state = {
    version: 3,
    params,
    optState: opt.init(params),
    samples: 30,
    gradsCursor: '5-1',
    applied: { w: '4-0' },
    lastRound: ['4-0'],
    stale: 1,
    duplicates: 2,
    loss: 0.5,
    lr: 0.1,
  };

  it('round-trips; a missing file is undefined', async () => {
    const path = join(dir, 'u.json');
    await writeUpdaterCheckpoint(path, state);
    const back = (await readUpdaterCheckpoint(path, model.layout))!;
    expect({ ...back, params: Array.from(back.params.data) }).toEqual({ ...state, params: [1.5, -0.25] });
    expect(await readUpdaterCheckpoint(join(dir, 'none.json'), model.layout)).toBe(undefined);
  });

  it('names the file and the field on bad content', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{');
    await expect(readUpdaterCheckpoint(bad, model.layout)).rejects.toThrow(
      new RegExp(`^${bad}: expected a JSON updater checkpoint, received invalid JSON`),
    );
    await writeUpdaterCheckpoint(bad, state);
    const other = sequential([dense(2, 1)]);
    await expect(readUpdaterCheckpoint(bad, other.layout)).rejects.toThrow(
      `${bad}: checkpoint.params["0.W"].shape: expected [2, 1] (the model's), received [1, 1]`,
    );
    await writeFile(bad, JSON.stringify({ format: 'gradstream-redis-updater', version: 1 }));
    await expect(readUpdaterCheckpoint(bad, model.layout)).rejects.toThrow(
      `${bad}: checkpoint.modelVersion: expected number, received undefined`,
    );
    await expect(readUpdaterCheckpoint(dir, model.layout)).rejects.toThrow(/EISDIR/);
  });
});

describe('runRedisUpdater options', () => {
  it('refuses bad options before touching Redis', async () => {
    const model = sequential([dense(1, 1)]);
    const client = {} as RedisClientLike;
    const base = {
      model,
      optimizer: sgd(),
      params: paramsFrom(model.layout, { '0.W': [[0]], '0.b': [0] }),
      stream: 's',
      group: 'g',
      prefix: 'p',
      checkpointPath: join(dir, 'x.json'),
    };
    await expect(runRedisUpdater(client, { ...base, workers: 0 })).rejects.toThrow('updater.workers: expected an integer ≥ 1, received 0');
    await expect(runRedisUpdater(client, { ...base, maxVersions: -1 })).rejects.toThrow(
      'updater.maxVersions: expected an integer ≥ 1 or Infinity, received -1',
    );
  });
});

describe('combineContributions', () => {
  it('weights mean gradients and losses by sample counts, as the doc example says', async () => {
    const { combineContributions } = await import('../../src/redis/combineContributions.js');
    const { redisRunKeys } = await import('../../src/redis/redisKeys.js');
    const out = new Float64Array(1);
    const loss = combineContributions(out, [
      { consumer: 'a', version: 0, count: 1, loss: 1, ids: ['1-0'], grad: Float64Array.of(2) },
      { consumer: 'b', version: 0, count: 3, loss: 3, ids: ['2-0', '3-0', '4-0'], grad: Float64Array.of(6) },
    ]);
    expect(loss).toBe(2.5);
    expect(Array.from(out)).toEqual([5]);
    expect(redisRunKeys('line')).toEqual({ grads: 'line:grads', versions: 'line:versions', rounds: 'line:rounds', epoch: 'line:epoch' });
  });
});

describe('connectDuplicate', () => {
  it('gives up after timeoutMs, and names what failed', async () => {
    const { connectDuplicate } = await import('../../src/redis/connectDuplicate.js');
    let destroyed = 0;
    const fake = (connect: () => Promise<unknown>): RedisClientLike =>
      ({ duplicate: () => ({ connect, destroy: () => void (destroyed += 1), on: () => undefined }) }) as unknown as RedisClientLike;
    await expect(
      connectDuplicate(
        fake(() => new Promise(() => {})),
        30,
      ),
    ).rejects.toThrow('redis connect: expected a connection to the Redis server within 30 ms, received none (is the server reachable?)');
    await expect(
      connectDuplicate(
        fake(() => Promise.reject(new Error('ECONNREFUSED'))),
        1000,
      ),
    ).rejects.toThrow('redis connect: expected a connection to the Redis server, received ECONNREFUSED');
    expect(destroyed).toBe(2);
  });
});
