import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGroupReader } from '../../src/redis/groupReader.js';
import { connectClient, produce, type Client } from './helpers.js';
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

const deliver = (stream: string, consumer: string, count: number): Promise<unknown> =>
  client.sendCommand(['XREADGROUP', 'GROUP', 'g', consumer, 'COUNT', String(count), 'STREAMS', stream, '>']);
const pendingOf = async (stream: string): Promise<number> => ((await client.sendCommand(['XPENDING', stream, 'g'])) as [number])[0];

describe('openGroupReader', () => {
  it('re-reads its own pending entries first; one deleted while pending is acknowledged and skipped', async () => {
    const stream = 'own:points';
    const ids = await produce(client, stream, 0, 4);
    await client.sendCommand(['XGROUP', 'CREATE', stream, 'g', '0']);
    await deliver(stream, 'c', 3);
    await client.sendCommand(['XDEL', stream, ids[1]!]);
    const reader = await openGroupReader(client, {
      stream,
      group: 'g',
      consumer: 'c',
      blockMs: 20,
      claimIdleMs: Infinity,
      timeoutMs: 5000,
      startId: '0',
    });
    try {
      expect((await reader.read(1)).map((e) => e.id)).toEqual([ids[0]]);
      expect((await reader.read(1)).map((e) => e.id)).toEqual([ids[2]]); // the deleted one skipped
      expect((await reader.read(10)).map((e) => e.id)).toEqual([ids[3]]); // then new entries
      expect(await reader.read(10)).toEqual([]);
      expect(await pendingOf(stream)).toBe(3);
      expect(reader.claimed()).toBe(0);
    } finally {
      reader.close();
    }
  });

  it('claims only other consumers’ idle entries, a page at a time, then waits claimIdleMs / 2', async () => {
    const stream = 'others:points';
    const ids = await produce(client, stream, 0, 5);
    await client.sendCommand(['XGROUP', 'CREATE', stream, 'g', '0']);
    await deliver(stream, 'dead', 5);
    await new Promise((r) => setTimeout(r, 120));
    const reader = await openGroupReader(client, {
      stream,
      group: 'g',
      consumer: 'me',
      blockMs: 20,
      claimIdleMs: 100,
      timeoutMs: 5000,
      startId: '0',
      claimOwn: false,
    });
    try {
      expect((await reader.read(2)).map((e) => e.id)).toEqual(ids.slice(0, 2));
      expect((await reader.read(2)).map((e) => e.id)).toEqual(ids.slice(2, 4));
      expect((await reader.read(2)).map((e) => e.id)).toEqual(ids.slice(4));
      expect(await reader.read(2)).toEqual([]); // its own claimed entries are never claimed back
      expect(reader.claimed()).toBe(5);
    } finally {
      reader.close();
    }
  });

  it('with claimOwn (XAUTOCLAIM), claims idle entries of any consumer', async () => {
    const stream = 'auto:points';
    const ids = await produce(client, stream, 0, 3);
    await client.sendCommand(['XGROUP', 'CREATE', stream, 'g', '0']);
    await deliver(stream, 'dead', 3);
    await new Promise((r) => setTimeout(r, 120));
    const reader = await openGroupReader(client, {
      stream,
      group: 'g',
      consumer: 'me',
      blockMs: 20,
      claimIdleMs: 100,
      timeoutMs: 5000,
      startId: '0',
    });
    try {
      expect((await reader.read(10)).map((e) => e.id)).toEqual(ids);
      expect(reader.claimed()).toBe(3);
    } finally {
      reader.close();
    }
  });
});
