import { asyncScheduler, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { GradstreamError, describeValue } from '../core/errors.js';
import { NOT_READY, type DataCursor, type NotReady } from './batchSource.js';
import { checkOptions } from './checkOptions.js';
import { checkInvalidPolicy, createDeadLetters, type CountingReader, type InvalidPolicy, type OnlineSource } from './deadLetters.js';
import { createReadySignal, type ReadyState } from './readySignal.js';
import { checkPositiveInteger, createSampleQueue, type OverflowPolicy, type SampleOrBatch } from './sampleQueue.js';
import type { Batch } from './stepRecord.js';

/** Options of {@link fromObservable}. */
export interface FromObservableOptions {
  /** Samples per step (default 1: learn from each sample as it arrives). */
  readonly batchSize?: number;
  /**
   * Longest wait, in milliseconds, of the oldest waiting sample before a partial batch trains
   * (default `Infinity`: only full batches, and the rest when the source completes).
   */
  readonly maxWaitMs?: number;
  /** The bounded buffer between the source and the loop. */
  readonly buffer?: {
    /** Most samples waiting (default `max(1024, batchSize)`). */
    readonly size?: number;
    /**
     * A sample arriving while the buffer is full: `'error'` (default) errors the run, `'dropOldest'`
     * discards the oldest waiting sample, `'dropNewest'` discards the arriving one. Drops are counted
     * on `record.dropped`.
     */
    readonly overflow?: OverflowPolicy;
  };
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
  /** Clock and timer of `maxWaitMs` (default `asyncScheduler`; a `TestScheduler` in tests). */
  readonly scheduler?: SchedulerLike;
}

/**
 * A data source fed by any Observable of samples `{ x, y }` (or ready-made batches, split into
 * their rows): each opened run subscribes to `samples$` and trains on the samples in arrival order,
 * `batchSize` at a time — or fewer once the oldest has waited `maxWaitMs`. While nothing has
 * arrived the loop waits without a timer or any CPU (only a partial batch waiting on `maxWaitMs`
 * holds one timer). Samples wait in a bounded buffer with an explicit overflow policy.
 *
 * The run ends with `stopReason: 'dataEnd'` when `samples$` completes (after the samples still
 * waiting have trained); it errors with the source's error (after the samples that arrived before
 * it), and with a `GradstreamError` on an overflow with policy `'error'`. An invalid sample (wrong
 * width, a non-finite or non-numeric value) errors the run with a `GradstreamError` naming it, or
 * with `invalid: 'skip'` is left out and counted; either way it appears, with its reason, on the
 * returned source's `rejected$` before the producer's `next()` returns. Batches are buffers made
 * once and refilled (valid until the next step). The cursor counts batches (`epoch` 0); resuming
 * does not replay an Observable.
 *
 * @example
 * import { Subject } from 'rxjs';
 * import { fromObservable } from 'gradstream';
 * const samples$ = new Subject<{ x: number[]; y: number[] }>();
 * const data = fromObservable(samples$, { batchSize: 8, maxWaitMs: 50, buffer: { size: 1000, overflow: 'dropOldest' }, invalid: 'skip' });
 * data.rejected$.subscribe((r) => console.warn(`refused: ${r.reason}`));
 * samples$.next({ x: [0.5], y: [2.5] }); // from a socket, a sensor, a queue…
 */
export function fromObservable(samples$: Observable<SampleOrBatch>, opts?: FromObservableOptions): OnlineSource {
  if (typeof (samples$ as Partial<Observable<SampleOrBatch>> | null)?.subscribe !== 'function') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fromObservable',
      expected: 'an Observable of samples',
      received: describeValue(samples$),
    });
  }
  const options = checkOptions('fromObservable', opts);
  const buffer = checkOptions('fromObservable.buffer', options.buffer);
  const batchSize = options.batchSize ?? 1;
  checkPositiveInteger('fromObservable.batchSize', batchSize);
  const maxWaitMs = options.maxWaitMs ?? Infinity;
  if (typeof maxWaitMs !== 'number' || !(maxWaitMs >= 0)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fromObservable.maxWaitMs',
      expected: 'a number ≥ 0 (or Infinity)',
      received: describeValue(maxWaitMs),
    });
  }
  const size = buffer.size ?? Math.max(1024, batchSize);
  checkPositiveInteger('fromObservable.buffer.size', size);
  if (size < batchSize) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fromObservable.buffer.size',
      expected: `at least batchSize (${batchSize})`,
      received: String(size),
    });
  }
  const overflow = buffer.overflow ?? 'error';
  if (overflow !== 'error' && overflow !== 'dropOldest' && overflow !== 'dropNewest') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fromObservable.buffer.overflow',
      expected: "'error', 'dropOldest' or 'dropNewest'",
      received: describeValue(overflow),
    });
  }
  const invalid = checkInvalidPolicy('fromObservable', options.invalid);
  if (options.inputs !== undefined) checkPositiveInteger('fromObservable.inputs', options.inputs);
  if (options.outputs !== undefined) checkPositiveInteger('fromObservable.outputs', options.outputs);
  const scheduler = options.scheduler ?? asyncScheduler;
  if (typeof (scheduler as Partial<SchedulerLike> | null)?.schedule !== 'function' || typeof scheduler.now !== 'function') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fromObservable.scheduler',
      expected: 'an RxJS scheduler',
      received: describeValue(scheduler),
    });
  }

  const letters = createDeadLetters();
  return {
    rejected$: letters.rejected$,
    rejected: letters.rejected,
    open(at?: DataCursor): CountingReader {
      const queue = createSampleQueue({
        capacity: size,
        batchSize,
        overflow,
        invalid,
        onReject: letters.report,
        inputs: options.inputs,
        outputs: options.outputs,
        where: 'fromObservable',
      });
      const cursor = { epoch: at?.epoch ?? 0, batchIndex: (at?.batchIndex ?? 0) - 1, epochEnd: false };
      let ended = false;
      let failed = false;
      let failure: unknown;
      let closed = false;
      let timer: Subscription | null = null;
      let sub: Subscription | null = null;

      const due = (): boolean => scheduler.now() >= queue.headTime() + maxWaitMs;
      const state = (): ReadyState => {
        const n = queue.count();
        if (n >= batchSize) return 'ready';
        if (n > 0) return ended || failed || due() ? 'ready' : 'wait';
        if (failed) return 'failed';
        return ended ? 'ready' : 'wait';
      };
      const signal = createReadySignal(state, () => failure);
      const cancelTimer = (): void => {
        timer?.unsubscribe();
        timer = null;
      };
      // One timer, only while a partial batch waits on maxWaitMs.
      const arm = (): void => {
        const n = queue.count();
        if (timer !== null || maxWaitMs === Infinity || ended || failed || closed || n === 0 || n >= batchSize) return;
        const delay = Math.max(0, queue.headTime() + maxWaitMs - scheduler.now());
        timer = scheduler.schedule(() => {
          timer = null;
          signal.notify();
          if (!due()) arm();
        }, delay);
      };
      const fail = (e: unknown): void => {
        failed = true;
        failure = e;
        cancelTimer();
        sub?.unsubscribe();
        signal.notify();
      };
      const take = (n: number): Batch => {
        const b = queue.take(n);
        cursor.batchIndex += 1;
        if (timer !== null) cancelTimer();
        arm();
        return b;
      };

      sub = samples$.subscribe({
        next(v) {
          if (ended || failed) return;
          try {
            queue.push(v, scheduler.now());
          } catch (e: unknown) {
            fail(e);
            return;
          }
          if (queue.count() >= batchSize) cancelTimer();
          else arm();
          signal.notify();
        },
        error: fail,
        complete() {
          ended = true;
          cancelTimer();
          signal.notify();
        },
      });
      if (failed) sub.unsubscribe();

      return {
        next(): Batch | null | NotReady {
          const n = queue.count();
          if (n >= batchSize) return take(batchSize);
          if (n > 0 && (ended || failed || due())) return take(n);
          if (ended && !failed) return null;
          return NOT_READY;
        },
        cursor: () => cursor,
        whenReady: signal.wait,
        dropped: queue.dropped,
        rejected: queue.rejected,
        close() {
          closed = true;
          cancelTimer();
          sub?.unsubscribe();
        },
      };
    },
  };
}
