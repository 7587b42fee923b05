import { GradstreamError, describeValue } from '../core/errors.js';
import { checkOptions } from './checkOptions.js';
import { NOT_READY, type DataCursor, type NotReady } from './batchSource.js';
import { checkInvalidPolicy, createDeadLetters, type CountingReader, type InvalidPolicy, type OnlineSource } from './deadLetters.js';
import { createReadySignal, type ReadySignal, type ReadyState } from './readySignal.js';
import { checkPositiveInteger, createSampleQueue, type SampleOrBatch } from './sampleQueue.js';
import type { Batch } from './stepRecord.js';

/** Options of {@link fromAsyncIterable}. */
export interface FromAsyncIterableOptions {
  /** Samples per step (default 1). */
  readonly batchSize?: number;
  /**
   * Most samples read from the iterable and not yet trained on — waiting, or in the batch of the
   * step running now (default `batchSize`: nothing is read while a step runs; `2 * batchSize` reads
   * the next batch during the step). At least `batchSize`.
   */
  readonly readAhead?: number;
  /**
   * An invalid sample (wrong width, a non-finite or non-numeric value): `'error'` (default) errors
   * the run, `'skip'` leaves it out, counted on `record.rejected`. Both report it on the source's
   * `rejected$`.
   */
  readonly invalid?: InvalidPolicy;
  /** Inputs per sample (default: the width of the first sample). */
  readonly inputs?: number;
  /** Targets per sample (default: the width of the first sample). */
  readonly outputs?: number;
}

/**
 * A data source that pulls samples `{ x, y }` (or ready-made batches, split into their rows) from
 * an async iterable — a Node stream in object mode, an async generator, `events.on(emitter, …)` —
 * or a plain iterable. Pulling starts when the loop first asks for data and stops whenever
 * `readAhead` samples are read and not yet trained on, so a fast producer is held back by a slow
 * loop (a Node stream pauses) and memory stays bounded. A partial batch trains only at the end.
 *
 * The run ends with `stopReason: 'dataEnd'` when the iterable is done; it errors with the
 * iterable's error (after the samples read before it), and with a `GradstreamError` naming the
 * sample on a bad one — or, with `invalid: 'skip'`, leaves the bad sample out and goes on; either
 * way the sample and its reason appear on the returned source's `rejected$`. When the run ends
 * early the iterator's `return()` is called (a generator's
 * `finally` runs, `events.on` removes its listener). A plain iterable is read synchronously (the
 * loop never waits). Batches are buffers made once and refilled.
 * The cursor counts batches (`epoch` 0); resuming does not replay an iterable.
 *
 * @example
 * import { fromAsyncIterable } from 'gradstream';
 * async function* sensor() {
 *   for (let i = 0; i < 1000; i++) yield { x: [i / 1000], y: [2 * (i / 1000) + 1] };
 * }
 * const data = fromAsyncIterable(sensor(), { batchSize: 16, readAhead: 64 });
 */
export function fromAsyncIterable(
  iterable: AsyncIterable<SampleOrBatch> | Iterable<SampleOrBatch>,
  opts?: FromAsyncIterableOptions,
): OnlineSource {
  const options = checkOptions('fromAsyncIterable', opts);
  const batchSize = options.batchSize ?? 1;
  checkPositiveInteger('fromAsyncIterable.batchSize', batchSize);
  const readAhead = options.readAhead ?? batchSize;
  checkPositiveInteger('fromAsyncIterable.readAhead', readAhead);
  if (readAhead < batchSize) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fromAsyncIterable.readAhead',
      expected: `at least batchSize (${batchSize})`,
      received: String(readAhead),
    });
  }
  const invalid = checkInvalidPolicy('fromAsyncIterable', options.invalid);
  if (options.inputs !== undefined) checkPositiveInteger('fromAsyncIterable.inputs', options.inputs);
  if (options.outputs !== undefined) checkPositiveInteger('fromAsyncIterable.outputs', options.outputs);
  const it = iterable as Partial<AsyncIterable<SampleOrBatch> & Iterable<SampleOrBatch>> | null | undefined;
  const isAsync = typeof it?.[Symbol.asyncIterator] === 'function';
  if (!isAsync && (typeof it?.[Symbol.iterator] !== 'function' || typeof iterable === 'string')) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fromAsyncIterable',
      expected: 'an async iterable or an iterable',
      received: describeValue(iterable),
    });
  }

  const letters = createDeadLetters();
  return {
    rejected$: letters.rejected$,
    rejected: letters.rejected,
    open(at?: DataCursor): CountingReader {
      const queue = createSampleQueue({
        invalid,
        onReject: letters.report,
        capacity: readAhead,
        batchSize,
        overflow: 'error',
        inputs: options.inputs,
        outputs: options.outputs,
        where: 'fromAsyncIterable',
        overflowHint: 'raise readAhead to hold the largest ready-made batch',
      });
      const cursor = { epoch: at?.epoch ?? 0, batchIndex: (at?.batchIndex ?? 0) - 1, epochEnd: false };
      const take = (n: number): Batch => {
        cursor.batchIndex += 1;
        return queue.take(n);
      };
      return isAsync
        ? openAsync((iterable as AsyncIterable<SampleOrBatch>)[Symbol.asyncIterator](), queue, batchSize, readAhead, take, cursor)
        : openSync((iterable as Iterable<SampleOrBatch>)[Symbol.iterator](), queue, batchSize, take, cursor);
    },
  };
}

type Queue = ReturnType<typeof createSampleQueue>;

function openAsync(
  it: AsyncIterator<SampleOrBatch>,
  queue: Queue,
  batchSize: number,
  readAhead: number,
  take: (n: number) => Batch,
  cursor: DataCursor,
): CountingReader {
  return new AsyncReader(it, queue, batchSize, readAhead, take, cursor);
}

/**
 * One run over an async iterator: pulls up to `readAhead` samples ahead (counting those of the
 * batch the loop is training on), one pull loop at a time, and releases the iterator when it
 * fails or the run closes early.
 */
class AsyncReader implements CountingReader {
  private pulling = false;
  private ended = false;
  private failed = false;
  private failure: unknown;
  private closed = false;
  /** Samples of the batch the loop is training on (returned by the last next()). */
  private held = 0;
  private readonly signal: ReadySignal;
  readonly whenReady: () => Promise<void>;
  readonly rejected: () => number;

  constructor(
    private readonly it: AsyncIterator<SampleOrBatch>,
    private readonly queue: Queue,
    private readonly batchSize: number,
    private readonly readAhead: number,
    private readonly take: (n: number) => Batch,
    private readonly at: DataCursor,
  ) {
    this.signal = createReadySignal(
      () => this.state(),
      () => this.failure,
    );
    this.whenReady = this.signal.wait;
    this.rejected = queue.rejected;
  }

  next(): Batch | null | NotReady {
    this.held = 0; // the previous step is done
    const n = this.queue.count();
    let out: Batch | null | NotReady = NOT_READY;
    if (n >= this.batchSize) out = this.take(this.batchSize);
    else if (n > 0 && (this.ended || this.failed)) out = this.take(n);
    else if (this.ended && !this.failed) out = null;
    if (out !== null && out !== NOT_READY) this.held = out.size;
    this.demand();
    return out;
  }

  cursor(): DataCursor {
    return this.at;
  }

  dropped(): number {
    return 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.ended && !this.failed) this.stop();
  }

  private state(): ReadyState {
    const n = this.queue.count();
    if (n >= this.batchSize || (n > 0 && (this.ended || this.failed))) return 'ready';
    if (this.failed) return 'failed';
    return this.ended ? 'ready' : 'wait';
  }

  /** Whether the pull loop may read more: open, not ended or failed, and room ahead. */
  private wantsMore(): boolean {
    return !this.closed && !this.ended && !this.failed && this.queue.count() + this.held < this.readAhead;
  }

  private demand(): void {
    if (!this.pulling && this.wantsMore()) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pulling = true;
    try {
      while (this.wantsMore()) {
        const r = await this.it.next();
        if (this.closed) break;
        if (r.done === true) {
          this.ended = true;
          break;
        }
        this.queue.push(r.value, 0);
        this.signal.notify();
      }
    } catch (e: unknown) {
      this.failed = true;
      this.failure = e;
      this.stop();
    }
    this.pulling = false;
    this.signal.notify();
  }

  /** Best effort: releases the iterator (a generator's finally, a stream's handle). */
  private stop(): void {
    void Promise.resolve()
      .then(() => this.it.return?.())
      .catch(() => undefined);
  }
}

function openSync(
  it: Iterator<SampleOrBatch>,
  queue: Queue,
  batchSize: number,
  take: (n: number) => Batch,
  cursor: DataCursor,
): CountingReader {
  let ended = false;
  let closed = false;
  return {
    next(): Batch | null {
      while (!ended && queue.count() < batchSize) {
        const r = it.next();
        if (r.done === true) ended = true;
        else queue.push(r.value, 0);
      }
      const n = queue.count();
      if (n === 0) return null;
      return take(Math.min(n, batchSize));
    },
    cursor: () => cursor,
    rejected: queue.rejected,
    close() {
      if (closed) return;
      closed = true;
      if (!ended) it.return?.();
    },
  };
}
