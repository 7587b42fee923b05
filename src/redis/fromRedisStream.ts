import { GradstreamError } from '../core/errors.js';
import { NOT_READY, type BatchReader, type BatchSource, type DataCursor, type NotReady } from '../streams/batchSource.js';
import type { Batch } from '../streams/stepRecord.js';
import { deadLetter } from './deadLetter.js';
import { openGroupReader, type GroupReader } from './groupReader.js';
import { parseSample } from './parseSample.js';
import type { RedisClientLike } from './redisClient.js';
import { redisCommand } from './redisCommand.js';

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
  const { stream, group, consumer, inputs, outputs } = options;
  const batchSize = options.batchSize ?? 32;
  const blockMs = options.blockMs ?? 1000;
  const claimIdleMs = options.claimIdleMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const readAhead = options.readAhead ?? 4;
  const idleEndMs = options.idleEndMs ?? Infinity;
  const deadStream = options.deadLetterStream ?? `${stream}:dead`;
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
  checkPositive('inputs', inputs, true, false);
  checkPositive('outputs', outputs, true, false);
  checkPositive('batchSize', batchSize, true, false);
  checkPositive('blockMs', blockMs, true, false);
  checkPositive('claimIdleMs', claimIdleMs, true, true);
  checkPositive('timeoutMs', timeoutMs, false, false);
  checkPositive('readAhead', readAhead, true, false);
  checkPositive('idleEndMs', idleEndMs, false, true);

  return {
    stream,
    group,
    async ack(ids) {
      if (ids.length > 0) await redisCommand(client, ['XACK', stream, group, ...ids], timeoutMs);
    },
    open(): BatchReader {
      // A ring buffer of samples read ahead: `capacity` rows of x and y, and their entry IDs.
      const capacity = readAhead * batchSize;
      const xs = new Float64Array(capacity * inputs);
      const ys = new Float64Array(capacity * outputs);
      const ringIds: string[] = new Array<string>(capacity).fill('');
      let head = 0;
      let count = 0;
      const batch = {
        x: new Float64Array(batchSize * inputs),
        y: new Float64Array(batchSize * outputs),
        size: batchSize,
        ids: [] as string[],
      };
      const cursor = { epoch: 0, batchIndex: -1, epochEnd: false };
      let closed = false;
      let ended = false;
      let failure: unknown = null;
      let waiter: (() => void) | null = null;
      let spaceWaiter: (() => void) | null = null;
      let reader: GroupReader | null = null;
      const wake = (): void => {
        const w = waiter;
        waiter = null;
        w?.();
      };
      const ready = (): boolean => count >= batchSize || ended || failure !== null || closed;

      const pump = async (): Promise<void> => {
        reader = await openGroupReader(client, {
          stream,
          group,
          consumer,
          blockMs,
          claimIdleMs,
          timeoutMs,
          startId: options.startId ?? '0',
          claimOwn: false,
        });
        if (closed) return;
        let lastDataAt = Date.now();
        while (!closed) {
          const free = capacity - count;
          if (free === 0) {
            await new Promise<void>((resolve) => {
              spaceWaiter = resolve;
            });
            continue;
          }
          const entries = await reader.read(Math.min(batchSize, free));
          if (closed) return;
          if (entries.length === 0) {
            if (Date.now() - lastDataAt >= idleEndMs && count < batchSize) {
              ended = true;
              wake();
              return;
            }
            continue;
          }
          lastDataAt = Date.now();
          for (const entry of entries) {
            const slot = (head + count) % capacity;
            const reason = parseSample(entry.fields, xs, slot * inputs, inputs, ys, slot * outputs, outputs);
            if (reason !== null) {
              await deadLetter(client, { stream, group, consumer, deadStream, maxLen: 10_000, timeoutMs }, entry, reason);
              continue;
            }
            ringIds[slot] = entry.id;
            count += 1;
          }
          if (count >= batchSize) wake();
        }
      };
      pump()
        .catch((e: unknown) => {
          if (!closed) failure = e;
        })
        .finally(() => {
          (reader as GroupReader | null)?.close();
          wake();
        });

      return {
        next(): Batch | null | NotReady {
          if (count >= batchSize) {
            const ids: string[] = new Array<string>(batchSize);
            for (let r = 0; r < batchSize; r++) {
              const slot = (head + r) % capacity;
              batch.x.set(xs.subarray(slot * inputs, (slot + 1) * inputs), r * inputs);
              batch.y.set(ys.subarray(slot * outputs, (slot + 1) * outputs), r * outputs);
              ids[r] = ringIds[slot]!;
            }
            batch.ids = ids;
            head = (head + batchSize) % capacity;
            count -= batchSize;
            cursor.batchIndex += 1;
            const s = spaceWaiter;
            spaceWaiter = null;
            s?.();
            return batch;
          }
          if (ended || closed) return null;
          return NOT_READY;
        },
        cursor: (): DataCursor => cursor,
        whenReady(): Promise<void> {
          if (failure !== null) return Promise.reject(failure instanceof Error ? failure : new Error(String(failure)));
          if (ready()) return Promise.resolve();
          return new Promise<void>((resolve, reject) => {
            waiter = () => (failure !== null ? reject(failure instanceof Error ? failure : new Error(String(failure))) : resolve());
          });
        },
        dropped: () => 0,
        close() {
          closed = true;
          (reader as GroupReader | null)?.close();
          const s = spaceWaiter;
          spaceWaiter = null;
          s?.();
          wake();
        },
      };
    },
  };
}
