import { GradstreamError } from '../core/errors.js';
import type { RedisClientLike } from './redisClient.js';

/**
 * A connected duplicate of `client` (for blocking reads, so `client` stays free). Its connection
 * errors are left to the commands (a failed or timed-out command reports them). Rejects with a
 * `GradstreamError` (`invalid_state`, path `redis connect`) when it is not connected within
 * `timeoutMs` — a client that retries forever would otherwise wait forever.
 */
export async function connectDuplicate(client: RedisClientLike, timeoutMs: number): Promise<RedisClientLike> {
  const dup = client.duplicate();
  dup.on('error', () => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new GradstreamError({
            code: 'invalid_state',
            path: 'redis connect',
            expected: `a connection to the Redis server within ${timeoutMs} ms`,
            received: 'none (is the server reachable?)',
          }),
        ),
      timeoutMs,
    );
  });
  try {
    await Promise.race([dup.connect(), timeout]);
    return dup;
  } catch (e: unknown) {
    dup.destroy();
    throw e instanceof GradstreamError
      ? e
      : new GradstreamError({
          code: 'invalid_state',
          path: 'redis connect',
          expected: 'a connection to the Redis server',
          received: e instanceof Error ? e.message : String(e),
        });
  } finally {
    clearTimeout(timer);
  }
}
