import { asyncScheduler, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { GradstreamError, describeValue } from '../core/errors.js';
import { NOT_READY, type DataCursor, type NotReady } from './batchSource.js';
import { checkOptions } from './checkOptions.js';
import { checkInvalidPolicy, createDeadLetters, type CountingReader, type InvalidPolicy, type OnlineSource } from './deadLetters.js';
import { createReadySignal, type ReadySignal, type ReadyState } from './readySignal.js';
import { checkPositiveInteger, createSampleQueue, type OverflowPolicy, type SampleOrBatch, type SampleQueue } from './sampleQueue.js';
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
  const plan = planObservable(checkOptions('fromObservable', opts));
  const letters = createDeadLetters();
  return {
    rejected$: letters.rejected$,
    rejected: letters.rejected,
    open: (at?: DataCursor): CountingReader => new ObservableReader(samples$, plan, letters.report, at),
  };
}

/** The checked options of one {@link fromObservable} source. */
interface ObservablePlan {
  readonly batchSize: number;
  readonly maxWaitMs: number;
  readonly size: number;
  readonly overflow: OverflowPolicy;
  readonly invalid: InvalidPolicy;
  readonly inputs: number | undefined;
  readonly outputs: number | undefined;
  readonly scheduler: SchedulerLike;
}

/** Checks the options, in the order their errors are reported, and fills in the defaults. */
function planObservable(options: FromObservableOptions): ObservablePlan {
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
  const overflow = checkBuffer(size, batchSize, buffer.overflow ?? 'error');
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
  return { batchSize, maxWaitMs, size, overflow, invalid, inputs: options.inputs, outputs: options.outputs, scheduler };
}

/** Checks `buffer.size` and `buffer.overflow`; returns the policy. */
function checkBuffer(size: number, batchSize: number, overflow: OverflowPolicy): OverflowPolicy {
  checkPositiveInteger('fromObservable.buffer.size', size);
  if (size < batchSize) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fromObservable.buffer.size',
      expected: `at least batchSize (${batchSize})`,
      received: String(size),
    });
  }
  if (overflow !== 'error' && overflow !== 'dropOldest' && overflow !== 'dropNewest') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fromObservable.buffer.overflow',
      expected: "'error', 'dropOldest' or 'dropNewest'",
      received: describeValue(overflow),
    });
  }
  return overflow;
}

/**
 * One run: subscribes to the samples at once, queues them, and hands out batches. It holds one
 * timer, only while a partial batch waits on `maxWaitMs`.
 */
class ObservableReader implements CountingReader {
  private readonly queue: SampleQueue;
  private readonly at: { epoch: number; batchIndex: number; epochEnd: boolean };
  private readonly signal: ReadySignal;
  private ended = false;
  private failed = false;
  private failure: unknown;
  private closed = false;
  private timer: Subscription | null = null;
  private readonly sub: Subscription | null = null;
  readonly whenReady: () => Promise<void>;
  readonly dropped: () => number;
  readonly rejected: () => number;

  constructor(
    samples$: Observable<SampleOrBatch>,
    private readonly plan: ObservablePlan,
    onReject: (sample: unknown, error: unknown) => void,
    at: DataCursor | undefined,
  ) {
    const { size, batchSize, overflow, invalid, inputs, outputs } = plan;
    this.queue = createSampleQueue({ capacity: size, batchSize, overflow, invalid, onReject, inputs, outputs, where: 'fromObservable' });
    this.at = { epoch: at?.epoch ?? 0, batchIndex: (at?.batchIndex ?? 0) - 1, epochEnd: false };
    this.signal = createReadySignal(
      () => this.state(),
      () => this.failure,
    );
    this.whenReady = this.signal.wait;
    this.dropped = this.queue.dropped;
    this.rejected = this.queue.rejected;
    this.sub = samples$.subscribe({
      next: (v) => this.arrive(v),
      error: (e: unknown) => this.fail(e),
      complete: () => this.complete(),
    });
    if (this.failed) this.sub.unsubscribe();
  }

  next(): Batch | null | NotReady {
    const n = this.queue.count();
    if (n >= this.plan.batchSize) return this.take(this.plan.batchSize);
    if (n > 0 && (this.ended || this.failed || this.due())) return this.take(n);
    if (this.ended && !this.failed) return null;
    return NOT_READY;
  }

  cursor(): DataCursor {
    return this.at;
  }

  close(): void {
    this.closed = true;
    this.cancelTimer();
    this.sub?.unsubscribe();
  }

  private arrive(v: SampleOrBatch): void {
    if (this.ended || this.failed) return;
    try {
      this.queue.push(v, this.plan.scheduler.now());
    } catch (e: unknown) {
      this.fail(e);
      return;
    }
    if (this.queue.count() >= this.plan.batchSize) this.cancelTimer();
    else this.arm();
    this.signal.notify();
  }

  private complete(): void {
    this.ended = true;
    this.cancelTimer();
    this.signal.notify();
  }

  private fail(e: unknown): void {
    this.failed = true;
    this.failure = e;
    this.cancelTimer();
    this.sub?.unsubscribe();
    this.signal.notify();
  }

  private state(): ReadyState {
    const n = this.queue.count();
    if (n >= this.plan.batchSize) return 'ready';
    if (n > 0) return this.ended || this.failed || this.due() ? 'ready' : 'wait';
    if (this.failed) return 'failed';
    return this.ended ? 'ready' : 'wait';
  }

  private due(): boolean {
    return this.plan.scheduler.now() >= this.queue.headTime() + this.plan.maxWaitMs;
  }

  private take(n: number): Batch {
    const b = this.queue.take(n);
    this.at.batchIndex += 1;
    if (this.timer !== null) this.cancelTimer();
    this.arm();
    return b;
  }

  private cancelTimer(): void {
    this.timer?.unsubscribe();
    this.timer = null;
  }

  /** Starts the timer when a partial batch waits on `maxWaitMs` and none runs. */
  private arm(): void {
    const { batchSize, maxWaitMs, scheduler } = this.plan;
    const n = this.queue.count();
    if (this.timer !== null || maxWaitMs === Infinity || this.ended || this.failed || this.closed || n === 0 || n >= batchSize) return;
    const delay = Math.max(0, this.queue.headTime() + maxWaitMs - scheduler.now());
    this.timer = scheduler.schedule(() => {
      this.timer = null;
      this.signal.notify();
      if (!this.due()) this.arm();
    }, delay);
  }
}
