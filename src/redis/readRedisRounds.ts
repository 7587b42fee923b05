import type { RedisClientLike } from './redisClient.js';
import { redisCommand } from './redisCommand.js';
import { redisRunKeys } from './redisKeys.js';

/** One applied contribution: the worker and the data-entry IDs it used. */
export interface RoundContribution {
  readonly consumer: string;
  readonly ids: readonly string[];
}

/**
 * The rounds a distributed run applied, from `<prefix>:rounds`: `rounds[v]` lists the
 * contributions (consumer, entry IDs, in the order they were combined) that made version `v + 1`.
 * For audits ("was every sample applied exactly once?") and exact replays; with the updater's
 * `keepRounds`, older versions are holes in the array.
 *
 * @example
 * import { readRedisRounds } from 'gradstream/node';
 * // const rounds = await readRedisRounds(client, 'line');
 * // const applied = rounds.flatMap((r) => r.flatMap((c) => c.ids));
 */
export async function readRedisRounds(client: RedisClientLike, prefix: string, timeoutMs = 10_000): Promise<RoundContribution[][]> {
  const reply = await redisCommand(client, ['HGETALL', redisRunKeys(prefix).rounds], timeoutMs);
  // RESP2: a flat [field, value, …] list; RESP3: a map (an object or a Map with node-redis).
  const pairs: [unknown, unknown][] = [];
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) pairs.push([reply[i], reply[i + 1]]);
  else if (reply instanceof Map) pairs.push(...reply.entries());
  else if (reply !== null && typeof reply === 'object') pairs.push(...Object.entries(reply));
  const rounds: RoundContribution[][] = [];
  for (const [k, v] of pairs) rounds[Number(k)] = JSON.parse(String(v)) as RoundContribution[];
  return rounds;
}
