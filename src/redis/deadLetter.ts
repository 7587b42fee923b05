import type { RedisClientLike } from './redisClient.js';
import { redisCommand } from './redisCommand.js';
import type { StreamEntry } from './streamEntries.js';

/**
 * Moves a malformed entry to the dead-letter stream `deadStream` — fields `id` (its ID in
 * `stream`), `stream`, `group`, `consumer`, `reason` and `entry` (its fields as JSON) — then
 * acknowledges it in `group`, so it is never delivered again and never stops training.
 */
export async function deadLetter(
  client: RedisClientLike,
  target: { stream: string; group: string; consumer: string; deadStream: string; maxLen: number; timeoutMs: number },
  entry: StreamEntry,
  reason: string,
): Promise<void> {
  const { stream, group, consumer, deadStream, maxLen, timeoutMs } = target;
  await redisCommand(
    client,
    [
      'XADD',
      deadStream,
      'MAXLEN',
      '~',
      String(maxLen),
      '*',
      'id',
      entry.id,
      'stream',
      stream,
      'group',
      group,
      'consumer',
      consumer,
      'reason',
      reason,
      'entry',
      JSON.stringify(entry.fields),
    ],
    timeoutMs,
  );
  await redisCommand(client, ['XACK', stream, group, entry.id], timeoutMs);
}
