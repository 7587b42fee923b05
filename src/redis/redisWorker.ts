import { GradstreamError } from '../core/errors.js';
import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import type { Rng } from '../core/rng.js';
import { createParams, type Params } from '../core/params.js';
import { connectDuplicate } from './connectDuplicate.js';
import { deadLetter } from './deadLetter.js';
import { decodeF64, encodeF64 } from './f64Base64.js';
import { type GroupReader, openGroupReader } from './groupReader.js';
import { parseSample } from './parseSample.js';
import type { RedisClientLike } from './redisClient.js';
import { redisCommand } from './redisCommand.js';
import { type RedisRunKeys, redisRunKeys } from './redisKeys.js';
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
  const settings = workerSettings(options);
  const { stream, group, consumer } = options;
  const { blockMs, timeoutMs } = settings;
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
  return new WorkerRun(client, options, settings, reader, blocking).run();
}

/** The worker's options with their defaults, checked. */
interface WorkerSettings {
  readonly batchSize: number;
  readonly blockMs: number;
  readonly timeoutMs: number;
  readonly deadStream: string;
  readonly resendAfterMs: number;
}

function workerSettings(options: RedisWorkerOptions): WorkerSettings {
  const s: WorkerSettings = {
    batchSize: options.batchSize ?? 32,
    blockMs: options.blockMs ?? 1000,
    timeoutMs: options.timeoutMs ?? 10_000,
    deadStream: options.deadLetterStream ?? `${options.stream}:dead`,
    resendAfterMs: options.resendAfterMs ?? 10_000,
  };
  if (!(Number.isInteger(s.batchSize) && s.batchSize >= 1))
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'worker.batchSize',
      expected: 'an integer ≥ 1',
      received: String(s.batchSize),
    });
  return s;
}

/** One run of a worker: the version it holds, its shard buffers, and what it did so far. */
class WorkerRun {
  private readonly keys: RedisRunKeys;
  private readonly params: Params;
  private readonly grads: Params;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly gradientOf: ReturnType<typeof shardGradient>;
  private contributions = 0;
  private samples = 0;
  private deadLettered = 0;
  /** The version last contributed for, the version in `params`, and the versions-stream position. */
  private lastContributed = -1;
  private current = -1;
  private lastVersionId = '0-0';

  constructor(
    private readonly client: RedisClientLike,
    private readonly options: RedisWorkerOptions,
    private readonly s: WorkerSettings,
    private readonly reader: GroupReader,
    private readonly blocking: RedisClientLike,
  ) {
    const { model } = options;
    this.keys = redisRunKeys(options.prefix);
    this.params = createParams(model.layout);
    this.grads = createParams(model.layout);
    this.x = new Float64Array(s.batchSize * model.inputs);
    this.y = new Float64Array(s.batchSize * model.outputs);
    this.gradientOf = shardGradient(model, options.loss);
  }

  /** Contributes once per version until `signal` aborts (an error after that ends the run quietly). */
  async run(): Promise<RedisWorkerResult> {
    const { signal } = this.options;
    const stop = (): void => {
      this.reader.close();
      this.blocking.destroy();
    };
    signal?.addEventListener('abort', stop, { once: true });
    try {
      while (!this.aborted()) {
        // 1. The model version first (then the data, never the other way round: see docs/redis.md).
        await this.awaitVersion();
        if (this.aborted()) break;
        // 2. The shard: up to batchSize good samples.
        const ids = await this.readShard();
        if (ids.length === 0 || this.aborted()) continue;
        // 3. Its gradient against version `current`, published.
        await this.contribute(ids);
      }
    } catch (e: unknown) {
      if (!this.aborted()) throw e;
    } finally {
      signal?.removeEventListener('abort', stop);
      stop();
    }
    return { contributions: this.contributions, samples: this.samples, deadLettered: this.deadLettered };
  }

  private aborted(): boolean {
    return this.options.signal?.aborted === true;
  }

  /**
   * Waits for a version to contribute for: a new one, or `current` again after `resendAfterMs`
   * without one (the updater may have discarded the contribution). Returns early on abort.
   */
  private async awaitVersion(): Promise<void> {
    const { blockMs, timeoutMs, resendAfterMs } = this.s;
    const versions = this.keys.versions;
    const newestReply = await redisCommand(this.client, ['XREVRANGE', versions, '+', '-', 'COUNT', '1'], timeoutMs);
    let fresh = this.newest(streamEntries(newestReply));
    const waitingSince = Date.now();
    while (!fresh && !this.aborted()) {
      const left = resendAfterMs - (Date.now() - waitingSince);
      if (this.current >= 0 && left <= 0) break; // no new version for long: contribute again for `current`
      const wait = this.current >= 0 ? Math.max(1, Math.min(blockMs, left)) : blockMs;
      const reply = await redisCommand(
        this.blocking,
        ['XREAD', 'BLOCK', String(wait), 'STREAMS', versions, this.lastVersionId],
        wait + timeoutMs,
      );
      fresh = this.newest(readReplyEntries(reply));
    }
  }

  /** Loads the newest version into `params`; true when it is newer than the last one used. */
  private newest(entries: StreamEntry[]): boolean {
    const e = entries[entries.length - 1];
    if (e === undefined) return false;
    this.lastVersionId = e.id;
    const version = Number(e.fields.version);
    // Newer than the last one used — or older than it: a new run under the same prefix (its
    // updater started without a checkpoint), which starts from version 0 again.
    if (!(version > this.lastContributed) && !(version < this.current)) return false;
    if (version < this.current) this.lastContributed = -1;
    decodeF64(e.fields.params ?? '', this.params.data, `${this.keys.versions} ${e.id}.params`);
    this.current = version;
    return true;
  }

  /**
   * Reads up to `batchSize` good samples into `x`, `y` (malformed ones go to the dead-letter
   * stream), without waiting for more once the stream is drained; returns their entry IDs.
   */
  private async readShard(): Promise<string[]> {
    const { batchSize, deadStream, timeoutMs } = this.s;
    const { stream, group, consumer, model } = this.options;
    const { inputs, outputs } = model;
    const ids: string[] = [];
    while (ids.length < batchSize && !this.aborted()) {
      const wanted = batchSize - ids.length;
      const entries = await this.reader.read(wanted);
      if (entries.length === 0) {
        if (ids.length > 0) break;
        continue;
      }
      for (const entry of entries) {
        const n = ids.length;
        const reason = parseSample(entry.fields, this.x, n * inputs, inputs, this.y, n * outputs, outputs);
        if (reason !== null) {
          await deadLetter(this.client, { stream, group, consumer, deadStream, maxLen: 10_000, timeoutMs }, entry, reason);
          this.deadLettered += 1;
          continue;
        }
        ids.push(entry.id);
      }
      if (entries.length < wanted && ids.length > 0) break; // the stream is drained for now: no waiting for more
    }
    return ids;
  }

  /** Computes the shard's gradient against version `current` and publishes it to `<prefix>:grads`. */
  private async contribute(ids: readonly string[]): Promise<void> {
    const { inputs, outputs } = this.options.model;
    const n = ids.length;
    const current = this.current;
    const value = this.gradientOf(this.params, this.x.subarray(0, n * inputs), this.y.subarray(0, n * outputs), n, this.grads, {
      training: true,
      step: current,
      rng: this.options.rng,
    });
    await redisCommand(
      this.client,
      [
        'XADD',
        this.keys.grads,
        'MAXLEN',
        '~',
        '10000',
        '*',
        'version',
        String(current),
        'consumer',
        this.options.consumer,
        'count',
        String(n),
        'loss',
        String(value),
        'ids',
        ids.join(','),
        'grad',
        encodeF64(this.grads.data),
      ],
      this.s.timeoutMs,
    );
    this.lastContributed = current;
    this.contributions += 1;
    this.samples += n;
    this.options.onContribution?.({ version: current, count: n, loss: value });
  }
}
