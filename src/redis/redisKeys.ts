/** The Redis keys of one distributed run, all under `prefix`. */
export interface RedisRunKeys {
  /** Workers' contributions (XADD by workers, XREAD by the updater). */
  readonly grads: string;
  /** Model versions: `version`, `samples`, `loss`, `params` (base64 float64) — workers read the newest. */
  readonly versions: string;
  /** A hash: version → the contributions (consumer, entry IDs) applied to make the next version. */
  readonly rounds: string;
  /** The run's epoch: the number of rounds recorded, which the updater checks against its checkpoint. */
  readonly epoch: string;
}

/**
 * The keys {@link runRedisWorker} and {@link runRedisUpdater} share under a prefix.
 *
 * @example
 * import { redisRunKeys } from 'gradstream/node';
 * redisRunKeys('line'); // { grads: 'line:grads', versions: 'line:versions', rounds: 'line:rounds', epoch: 'line:epoch' }
 */
export function redisRunKeys(prefix: string): RedisRunKeys {
  return { grads: `${prefix}:grads`, versions: `${prefix}:versions`, rounds: `${prefix}:rounds`, epoch: `${prefix}:epoch` };
}
