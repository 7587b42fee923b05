import { GradstreamError, describeValue } from '../core/errors.js';
import { checkOptions } from './checkOptions.js';
import { NOT_READY, type DataCursor, type NotReady } from './batchSource.js';
import { checkInvalidPolicy, createDeadLetters, type CountingReader, type InvalidPolicy, type OnlineSource } from './deadLetters.js';
import { createReadySignal, type ReadyState } from './readySignal.js';
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
  let pulling = false;
  let ended = false;
  let failed = false;
  let failure: unknown;
  let closed = false;
  let held = 0; // samples of the batch the loop is training on (returned by the last next())

  const state = (): ReadyState => {
    const n = queue.count();
    if (n >= batchSize || (n > 0 && (ended || failed))) return 'ready';
    if (failed) return 'failed';
    return ended ? 'ready' : 'wait';
  };
  const signal = createReadySignal(state, () => failure);
  const stop = (): void => {
    // Best effort: release the iterator (a generator's finally, a stream's handle).
    void Promise.resolve()
      .then(() => it.return?.())
      .catch(() => undefined);
  };

  const pump = async (): Promise<void> => {
    pulling = true;
    try {
      while (!closed && !ended && !failed && queue.count() + held < readAhead) {
        const r = await it.next();
        if (closed) break;
        if (r.done === true) {
          ended = true;
          break;
        }
        queue.push(r.value, 0);
        signal.notify();
      }
    } catch (e: unknown) {
      failed = true;
      failure = e;
      stop();
    }
    pulling = false;
    signal.notify();
  };
  const demand = (): void => {
    if (!pulling && !closed && !ended && !failed && queue.count() + held < readAhead) void pump();
  };

  return {
    next(): Batch | null | NotReady {
      held = 0; // the previous step is done
      const n = queue.count();
      let out: Batch | null | NotReady = NOT_READY;
      if (n >= batchSize) out = take(batchSize);
      else if (n > 0 && (ended || failed)) out = take(n);
      else if (ended && !failed) out = null;
      if (out !== null && out !== NOT_READY) held = out.size;
      demand();
      return out;
    },
    cursor: () => cursor,
    whenReady: signal.wait,
    dropped: () => 0,
    rejected: queue.rejected,
    close() {
      if (closed) return;
      closed = true;
      if (!ended && !failed) stop();
    },
  };
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
