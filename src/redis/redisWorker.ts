import { GradstreamError } from '../core/errors.js';
import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import type { Rng } from '../core/rng.js';
import { createParams } from '../core/params.js';
import { connectDuplicate } from './connectDuplicate.js';
import { deadLetter } from './deadLetter.js';
import { decodeF64, encodeF64 } from './f64Base64.js';
import { openGroupReader } from './groupReader.js';
import { parseSample } from './parseSample.js';
import type { RedisClientLike } from './redisClient.js';
import { redisCommand } from './redisCommand.js';
import { redisRunKeys } from './redisKeys.js';
import { shardGradient } from './shardGradient.js';
import { readReplyEntries, streamEntries, type StreamEntry } from './streamEntries.js';

/** Options of {@link runRedisWorker}. */
export interface RedisWorkerOptions {
  readonly model: Model;
  readonly loss: Loss;
  /** The stream of samples (fields `x`, `y` as JSON) and the consumer group the workers share. */
  readonly stream: string;
  readonly group: string;
  /** This worker's name in the group; a restarted worker must reuse it to get its pending entries back. */
  readonly consumer: string;
  /** The run's key prefix (shared with the updater): `<prefix>:grads`, `<prefix>:versions`. */
  readonly prefix: string;
  /** Most samples per contribution (default 32); fewer when the stream holds fewer right now. */
  readonly batchSize?: number;
  /** Longest a blocking read waits on the server, in ms (default 1000). */
  readonly blockMs?: number;
  /** Take over entries pending longer than this in any consumer's list, in ms (default 30000). */
  readonly claimIdleMs?: number;
  /** Longest wait for a reply (beyond `blockMs`) before the worker errors, in ms (default 10000). */
  readonly timeoutMs?: number;
  /**
   * Contribute again for the same version after waiting this long for the next one, in ms
   * (default 10000): the updater may have discarded the contribution (a duplicate after a crash).
   * Make it longer than the updater's round timeout.
   */
  readonly resendAfterMs?: number;
  /** Where malformed entries go (default `<stream>:dead`). */
  readonly deadLetterStream?: string;
  /** The generator dropout layers read (their masks key on it and the model version). */
  readonly rng?: Rng;
  /** Stops the worker between reads. */
  readonly signal?: AbortSignal;
  /** Called after each contribution is published. */
  readonly onContribution?: (c: { readonly version: number; readonly count: number; readonly loss: number }) => void;
}

/** What a worker did, when it stops. */
export interface RedisWorkerResult {
  readonly contributions: number;
  readonly samples: number;
  readonly deadLettered: number;
}

/**
 * A data-parallel worker: repeatedly takes the newest model version from `<prefix>:versions`,
 * reads up to `batchSize` samples through the consumer group (its own pending entries first, then
 * entries of dead consumers idle for `claimIdleMs`, then new ones), computes their mean gradient
 * with the model's forward and backward passes and publishes it to `<prefix>:grads` with the
 * version, the sample count, the mean loss and the entry IDs — then waits for the next version
 * (one contribution per version: synchronous rounds; after `resendAfterMs` without one it
 * contributes again, in case the updater discarded it). It never acknowledges data entries: the
 * updater does, after its checkpoint covers them. Malformed entries go to the dead-letter stream.
 *
 * Resolves when `signal` aborts; rejects with the client's error or a `GradstreamError` when the
 * server does not answer within `timeoutMs`.
 *
 * @example
 * import { createClient } from 'redis';
 * import { dense, mse, sequential } from 'gradstream';
 * import { runRedisWorker } from 'gradstream/node';
 * const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 * await runRedisWorker(client, { model: sequential([dense(1, 1)]), loss: mse(), stream: 'points', group: 'workers', consumer: 'w1', prefix: 'line' });
 */
export async function runRedisWorker(client: RedisClientLike, options: RedisWorkerOptions): Promise<RedisWorkerResult> {
  const { model, loss, stream, group, consumer, signal } = options;
  const batchSize = options.batchSize ?? 32;
  const blockMs = options.blockMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadStream = options.deadLetterStream ?? `${stream}:dead`;
  const resendAfterMs = options.resendAfterMs ?? 10_000;
  if (!(Number.isInteger(batchSize) && batchSize >= 1))
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'worker.batchSize',
      expected: 'an integer ≥ 1',
      received: String(batchSize),
    });
  const keys = redisRunKeys(options.prefix);
  const inputs = model.inputs;
  const outputs = model.outputs;
  const reader = await openGroupReader(client, {
    stream,
    group,
    consumer,
    blockMs,
    claimIdleMs: options.claimIdleMs ?? 30_000,
    timeoutMs,
    startId: '0',
  });
  let blocking: RedisClientLike;
  try {
    blocking = await connectDuplicate(client, timeoutMs);
  } catch (e: unknown) {
    reader.close();
    throw e;
  }
  const stop = (): void => {
    reader.close();
    blocking.destroy();
  };
  signal?.addEventListener('abort', stop, { once: true });
  const params = createParams(model.layout);
  const grads = createParams(model.layout);
  const x = new Float64Array(batchSize * inputs);
  const y = new Float64Array(batchSize * outputs);
  const gradientOf = shardGradient(model, loss);
  let contributions = 0;
  let samples = 0;
  let deadLettered = 0;
  let lastContributed = -1;
  let current = -1;
  let lastVersionId = '0-0';
  const aborted = (): boolean => signal?.aborted === true;

  /** Loads the newest version into `params`; true when it is newer than the last one used. */
  const newest = async (entries: StreamEntry[]): Promise<boolean> => {
    const e = entries[entries.length - 1];
    if (e === undefined) return false;
    lastVersionId = e.id;
    const version = Number(e.fields.version);
    // Newer than the last one used — or older than it: a new run under the same prefix (its
    // updater started without a checkpoint), which starts from version 0 again.
    if (!(version > lastContributed) && !(version < current)) return false;
    if (version < current) lastContributed = -1;
    decodeF64(e.fields.params ?? '', params.data, `${keys.versions} ${e.id}.params`);
    current = version;
    return true;
  };

  try {
    while (!aborted()) {
      // 1. The model version first (then the data, never the other way round: see docs/redis.md).
      let fresh = await newest(streamEntries(await redisCommand(client, ['XREVRANGE', keys.versions, '+', '-', 'COUNT', '1'], timeoutMs)));
      const waitingSince = Date.now();
      while (!fresh && !aborted()) {
        const left = resendAfterMs - (Date.now() - waitingSince);
        if (current >= 0 && left <= 0) break; // no new version for long: contribute again for `current`
        const wait = current >= 0 ? Math.max(1, Math.min(blockMs, left)) : blockMs;
        const reply = await redisCommand(
          blocking,
          ['XREAD', 'BLOCK', String(wait), 'STREAMS', keys.versions, lastVersionId],
          wait + timeoutMs,
        );
        fresh = await newest(readReplyEntries(reply));
      }
      if (aborted()) break;
      // 2. The shard: up to batchSize good samples.
      let n = 0;
      const ids: string[] = [];
      while (n < batchSize && !aborted()) {
        const wanted = batchSize - n;
        const entries = await reader.read(wanted);
        if (entries.length === 0) {
          if (n > 0) break;
          continue;
        }
        for (const entry of entries) {
          const reason = parseSample(entry.fields, x, n * inputs, inputs, y, n * outputs, outputs);
          if (reason !== null) {
            await deadLetter(client, { stream, group, consumer, deadStream, maxLen: 10_000, timeoutMs }, entry, reason);
            deadLettered += 1;
            continue;
          }
          ids.push(entry.id);
          n += 1;
        }
        if (entries.length < wanted && n > 0) break; // the stream is drained for now: no waiting for more
      }
      if (n === 0 || aborted()) continue;
      // 3. Its gradient against version `current`, published.
      const value = gradientOf(params, x.subarray(0, n * inputs), y.subarray(0, n * outputs), n, grads, {
        training: true,
        step: current,
        rng: options.rng,
      });
      await redisCommand(
        client,
        [
          'XADD',
          keys.grads,
          'MAXLEN',
          '~',
          '10000',
          '*',
          'version',
          String(current),
          'consumer',
          consumer,
          'count',
          String(n),
          'loss',
          String(value),
          'ids',
          ids.join(','),
          'grad',
          encodeF64(grads.data),
        ],
        timeoutMs,
      );
      lastContributed = current;
      contributions += 1;
      samples += n;
      options.onContribution?.({ version: current, count: n, loss: value });
    }
  } catch (e: unknown) {
    if (!aborted()) throw e;
  } finally {
    signal?.removeEventListener('abort', stop);
    stop();
  }
  return { contributions, samples, deadLettered };
}
