import { GradstreamError } from '../core/errors.js';
import type { RedisClientLike } from './redisClient.js';

/**
 * Sends one command and waits at most `timeoutMs` for its reply. A client that lost its server
 * either rejects or queues the command until it reconnects; then the timeout turns the silence
 * into an error instead of a run that hangs. Rejects with a `GradstreamError` (`invalid_state`,
 * path `redis <COMMAND>`): `redis XREADGROUP: expected a reply from the Redis server within
 * 1300 ms, received none (is the server reachable?)`, or the client's or server's message as
 * `received` (`Socket closed unexpectedly`, `NOGROUP …`).
 */
export function redisCommand(client: RedisClientLike, args: readonly string[], timeoutMs: number): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new GradstreamError({
          code: 'invalid_state',
          path: `redis ${args[0] ?? ''}`,
          expected: `a reply from the Redis server within ${timeoutMs} ms`,
          received: 'none (is the server reachable?)',
        }),
      );
    }, timeoutMs);
    client.sendCommand(args).then(
      (reply) => {
        clearTimeout(timer);
        resolve(reply);
      },
      (e: unknown) => {
        clearTimeout(timer);
        const message = e instanceof Error ? e.message : String(e);
        reject(
          new GradstreamError({
            code: 'invalid_state',
            path: `redis ${args[0] ?? ''}`,
            expected: 'a reply from the Redis server',
            received: message === '' ? 'an error' : message,
          }),
        );
      },
    );
  });
}
