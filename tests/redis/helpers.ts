/** Test helpers for the Redis suite: clients, a producer of line samples. */
import { createClient } from 'redis';
import type { RedisClientLike } from '../../src/redis/redisClient.js';

/** A connected node-redis client that does not retry forever when the server is gone. */
export async function connectClient(url: string) {
  const client = createClient({ url, socket: { reconnectStrategy: (retries: number) => (retries >= 3 ? new Error('gone') : 50) } });
  client.on('error', () => {});
  await client.connect();
  return client;
}

export type Client = Awaited<ReturnType<typeof connectClient>>;

/** The hidden line of the tests: y = 3x − 2. */
export const line = (x: number): number => 3 * x - 2;

/** Sample `i` of a deterministic set: x spread over [−1, 1], y on the line. */
export function lineSample(i: number): { x: number; y: number } {
  const x = ((i * 7919) % 1000) / 500 - 1;
  return { x, y: line(x) };
}

/** XADDs samples `from … to-1` (fields `n`, `x`, `y`) in pipelined chunks; returns their IDs. */
export async function produce(client: RedisClientLike, stream: string, from: number, to: number): Promise<string[]> {
  const ids: string[] = [];
  for (let start = from; start < to; start += 500) {
    const chunk: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(to, start + 500); i++) {
      const s = lineSample(i);
      chunk.push(client.sendCommand(['XADD', stream, '*', 'n', String(i), 'x', JSON.stringify([s.x]), 'y', JSON.stringify([s.y])]));
    }
    for (const id of await Promise.all(chunk)) ids.push(String(id));
  }
  return ids;
}

/** Resolves once `check()` is true, polling every 20 ms; rejects after `ms`. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
