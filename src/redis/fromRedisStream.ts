import { GradstreamError } from '../core/errors.js';
import { NOT_READY, type BatchReader, type BatchSource, type DataCursor, type NotReady } from '../streams/batchSource.js';
import type { Batch } from '../streams/stepRecord.js';
import { deadLetter } from './deadLetter.js';
import { openGroupReader, type GroupReader } from './groupReader.js';
import { parseSample } from './parseSample.js';
import type { RedisClientLike } from './redisClient.js';
import { redisCommand } from './redisCommand.js';
import type { StreamEntry } from './streamEntries.js';

/** Options of {@link fromRedisStream}. */
export interface FromRedisStreamOptions {
  /** The stream of samples: entries with fields `x` (JSON array) and `y` (JSON array or number). */
  readonly stream: string;
  /** The consumer group (created at the start of the stream if missing). */
  readonly group: string;
  /** This reader's consumer name; a restarted process must reuse it to get its pending entries back. */
  readonly consumer: string;
  /** Numbers per `x` and per `y`. */
  readonly inputs: number;
  readonly outputs: number;
  /** Samples per batch (default 32); batches are always full. */
  readonly batchSize?: number;
  /** Longest a read for new entries blocks on the server, in ms (default 1000). */
  readonly blockMs?: number;
  /** Entries pending longer than this in another (dead) consumer's list are taken over, in ms (default 60000; `Infinity`: never). */
  readonly claimIdleMs?: number;
  /** Longest wait for a reply (beyond `blockMs`) before the source errors, in ms (default 10000). */
  readonly timeoutMs?: number;
  /** Where malformed entries go (default `<stream>:dead`). */
  readonly deadLetterStream?: string;
  /** Batches read ahead of the loop (default 4): a bound on the buffer; the rest waits in Redis. */
  readonly readAhead?: number;
  /** End of data (`'dataEnd'`) after no new entry for this long, in ms (default `Infinity`: wait forever). */
  readonly idleEndMs?: number;
  /** Where a group created here starts: `'0'` (default, the whole stream) or `'$'` (new entries only). */
  readonly startId?: '0' | '$';
}

/** A batch from Redis: its rows and the IDs of the entries they came from (in row order). */
export interface RedisBatch extends Batch {
  readonly ids: readonly string[];
}

/** The source {@link fromRedisStream} makes: a batch source that can acknowledge what it delivered. */
export interface RedisStreamSource extends BatchSource {
  readonly stream: string;
  readonly group: string;
  /** Acknowledges entries (XACK on the caller's client); see {@link ackOnCheckpoint}. */
  ack(ids: readonly string[]): Promise<void>;
}

/**
 * True when `batch` came from {@link fromRedisStream} (it carries entry IDs).
 *
 * @example
 * import { isRedisBatch } from 'gradstream/node';
 * // tap((r) => { if (isRedisBatch(r.batch)) console.log(r.step, r.batch.ids) })
 */
export function isRedisBatch(batch: Batch): batch is RedisBatch {
  return Array.isArray((batch as Partial<RedisBatch>).ids);
}

function checkPositive(name: string, v: number, integer: boolean, allowInfinity: boolean): void {
  const ok = (allowInfinity && v === Infinity) || (Number.isFinite(v) && v > 0 && (!integer || Number.isInteger(v)));
  if (!ok)
    throw new GradstreamError({
      code: 'invalid_config',
      path: `fromRedisStream.${name}`,
      expected: `${integer ? 'an integer' : 'a number'} > 0${allowInfinity ? ' or Infinity' : ''}`,
      received: String(v),
    });
}

/**
 * An online-learning data source reading a Redis stream through a consumer group (XREADGROUP),
 * so each entry goes to one consumer of the group. A reader first re-reads its own pending
 * entries (left by a previous run of the same `consumer`), then takes over entries that stayed
 * pending longer than `claimIdleMs` in another (dead) consumer's list (XPENDING + XCLAIM — never
 * its own, which wait for a checkpoint), then reads new ones.
 * Blocking reads use a duplicate connection; `client` stays free for other commands.
 *
 * Asynchronous: `next()` returns `NOT_READY` until a full batch is buffered, and `whenReady()`
 * resolves when one is (or at the end of data, after `idleEndMs` without entries). A malformed
 * entry goes to the dead-letter stream with the reason (e.g. `x: expected 2 numbers, received 3`)
 * and is acknowledged; training goes on. Entries are *not* acknowledged when read: a batch
 * carries its entry IDs ({@link RedisBatch}) and {@link ackOnCheckpoint} acknowledges them once a
 * checkpoint covers their step, so a crash re-delivers what no checkpoint holds (at least once).
 *
 * Errors (`whenReady` rejects) with the client's error, or a `GradstreamError` (`invalid_state`)
 * when the server does not reply within `blockMs + timeoutMs`.
 *
 * @example
 * import { createClient } from 'redis';
 * import { fromRedisStream } from 'gradstream/node';
 * const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 * const data = fromRedisStream(client, { stream: 'points', group: 'trainers', consumer: 'a', inputs: 1, outputs: 1, batchSize: 16 });
 * // train({ params, data, pipeline, … })
 */
export function fromRedisStream(client: RedisClientLike, options: FromRedisStreamOptions): RedisStreamSource {
  const settings = streamSettings(options);
  const { stream, group, timeoutMs } = settings;
  return {
    stream,
    group,
    async ack(ids) {
      if (ids.length > 0) await redisCommand(client, ['XACK', stream, group, ...ids], timeoutMs);
    },
    open: (): BatchReader => new RedisStreamReader(client, settings),
  };
}

/** The options of {@link fromRedisStream} with their defaults, checked. */
interface StreamSettings {
  readonly stream: string;
  readonly group: string;
  readonly consumer: string;
  readonly inputs: number;
  readonly outputs: number;
  readonly batchSize: number;
  readonly blockMs: number;
  readonly claimIdleMs: number;
  readonly timeoutMs: number;
  readonly readAhead: number;
  readonly idleEndMs: number;
  readonly deadStream: string;
  readonly startId: '0' | '$';
}

function streamSettings(options: FromRedisStreamOptions): StreamSettings {
  const { stream, group, consumer } = options;
  const s: StreamSettings = {
    stream,
    group,
    consumer,
    inputs: options.inputs,
    outputs: options.outputs,
    batchSize: options.batchSize ?? 32,
    blockMs: options.blockMs ?? 1000,
    claimIdleMs: options.claimIdleMs ?? 60_000,
    timeoutMs: options.timeoutMs ?? 10_000,
    readAhead: options.readAhead ?? 4,
    idleEndMs: options.idleEndMs ?? Infinity,
    deadStream: options.deadLetterStream ?? `${stream}:dead`,
    startId: options.startId ?? '0',
  };
  for (const [name, v] of [
    ['stream', stream],
    ['group', group],
    ['consumer', consumer],
  ] as const) {
    if (typeof v !== 'string' || v === '')
      throw new GradstreamError({
        code: 'invalid_config',
        path: `fromRedisStream.${name}`,
        expected: 'a non-empty string',
        received: JSON.stringify(v) ?? 'undefined',
      });
  }
  checkPositive('inputs', s.inputs, true, false);
  checkPositive('outputs', s.outputs, true, false);
  checkPositive('batchSize', s.batchSize, true, false);
  checkPositive('blockMs', s.blockMs, true, false);
  checkPositive('claimIdleMs', s.claimIdleMs, true, true);
  checkPositive('timeoutMs', s.timeoutMs, false, false);
  checkPositive('readAhead', s.readAhead, true, false);
  checkPositive('idleEndMs', s.idleEndMs, false, true);
  return s;
}

/**
 * One opened reader of {@link fromRedisStream}: a pump that reads entries into a ring buffer of
 * samples read ahead (`readAhead` batches of x, y and entry IDs), and the batches taken from it.
 */
class RedisStreamReader implements BatchReader {
  private readonly capacity: number;
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private readonly ringIds: string[];
  /** The first buffered sample's slot, and the samples buffered. */
  private head = 0;
  private count = 0;
  private readonly batch: { x: Float64Array; y: Float64Array; size: number; ids: string[] };
  private readonly at = { epoch: 0, batchIndex: -1, epochEnd: false };
  private closed = false;
  private ended = false;
  private failure: unknown = null;
  /** Resolves the pending `whenReady`, and the pump waiting for space in the ring. */
  private waiter: (() => void) | null = null;
  private spaceWaiter: (() => void) | null = null;
  private reader: GroupReader | null = null;

  constructor(
    private readonly client: RedisClientLike,
    private readonly s: StreamSettings,
  ) {
    this.capacity = s.readAhead * s.batchSize;
    this.xs = new Float64Array(this.capacity * s.inputs);
    this.ys = new Float64Array(this.capacity * s.outputs);
    this.ringIds = new Array<string>(this.capacity).fill('');
    this.batch = { x: new Float64Array(s.batchSize * s.inputs), y: new Float64Array(s.batchSize * s.outputs), size: s.batchSize, ids: [] };
    this.pump()
      .catch((e: unknown) => {
        if (!this.closed) this.failure = e;
      })
      .finally(() => {
        this.reader?.close();
        this.wake();
      });
  }

  next(): Batch | null | NotReady {
    const { batchSize, inputs, outputs } = this.s;
    if (this.count >= batchSize) {
      const { xs, ys, ringIds, capacity, batch } = this;
      const ids: string[] = new Array<string>(batchSize);
      for (let r = 0; r < batchSize; r++) {
        const slot = (this.head + r) % capacity;
        batch.x.set(xs.subarray(slot * inputs, (slot + 1) * inputs), r * inputs);
        batch.y.set(ys.subarray(slot * outputs, (slot + 1) * outputs), r * outputs);
        ids[r] = ringIds[slot]!;
      }
      batch.ids = ids;
      this.head = (this.head + batchSize) % capacity;
      this.count -= batchSize;
      this.at.batchIndex += 1;
      this.wakeSpace();
      return batch;
    }
    if (this.ended || this.closed) return null;
    return NOT_READY;
  }

  cursor(): DataCursor {
    return this.at;
  }

  whenReady(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.error());
    if (this.ready()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiter = () => (this.failure !== null ? reject(this.error()) : resolve());
    });
  }

  dropped(): number {
    return 0;
  }

  close(): void {
    this.closed = true;
    this.reader?.close();
    this.wakeSpace();
    this.wake();
  }

  private error(): Error {
    const f = this.failure;
    return f instanceof Error ? f : new Error(String(f));
  }

  private ready(): boolean {
    return this.count >= this.s.batchSize || this.ended || this.failure !== null || this.closed;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private wakeSpace(): void {
    const s = this.spaceWaiter;
    this.spaceWaiter = null;
    s?.();
  }

  /** Reads entries into the ring until closed, failed, or ended by `idleEndMs` without entries. */
  private async pump(): Promise<void> {
    const { stream, group, consumer, blockMs, claimIdleMs, timeoutMs, startId, batchSize, idleEndMs } = this.s;
    const reader = await openGroupReader(this.client, {
      stream,
      group,
      consumer,
      blockMs,
      claimIdleMs,
      timeoutMs,
      startId,
      claimOwn: false,
    });
    this.reader = reader;
    if (this.closed) return;
    let lastDataAt = Date.now();
    while (!this.closed) {
      const free = this.capacity - this.count;
      if (free === 0) {
        await new Promise<void>((resolve) => {
          this.spaceWaiter = resolve;
        });
        continue;
      }
      const entries = await reader.read(Math.min(batchSize, free));
      if (this.closed) return;
      if (entries.length === 0) {
        if (Date.now() - lastDataAt >= idleEndMs && this.count < batchSize) {
          this.ended = true;
          this.wake();
          return;
        }
        continue;
      }
      lastDataAt = Date.now();
      await this.store(entries);
      if (this.count >= batchSize) this.wake();
    }
  }

  /** Puts the entries' samples into the ring; malformed ones go to the dead-letter stream. */
  private async store(entries: readonly StreamEntry[]): Promise<void> {
    const { stream, group, consumer, deadStream, timeoutMs, inputs, outputs } = this.s;
    for (const entry of entries) {
      const slot = (this.head + this.count) % this.capacity;
      const reason = parseSample(entry.fields, this.xs, slot * inputs, inputs, this.ys, slot * outputs, outputs);
      if (reason !== null) {
        await deadLetter(this.client, { stream, group, consumer, deadStream, maxLen: 10_000, timeoutMs }, entry, reason);
        continue;
      }
      this.ringIds[slot] = entry.id;
      this.count += 1;
    }
  }
}
