import { Observable, type OperatorFunction, type SchedulerLike, type Subscriber } from 'rxjs';
import { GradstreamError } from '../core/errors.js';
import type { OptState } from '../core/optimizer.js';
import { cloneParams, type Params } from '../core/params.js';
import type { BatchSource, DataCursor } from './batchSource.js';
import type { Batch, StepRecord, StopReason } from './stepRecord.js';
import { yieldToEventLoop } from './yieldToEventLoop.js';

/** How the loop runs: all at once, in time slices between event-loop turns, or on a scheduler. */
export type LoopScheduling = 'sync' | 'sliced' | SchedulerLike;

/** Options of {@link train}. */
export interface TrainOptions<R> {
  /** Initial weights. The run trains its own copy; these are never modified. */
  readonly params: Params;
  /** The mini-batches, one per step. */
  readonly data: BatchSource;
  /** What one step does, e.g. `pipe(forward(m), loss(l), gradient(m, l), update(opt), …sinks)`. */
  readonly pipeline: OperatorFunction<StepRecord, R>;
  /** Updates already applied to `params` (when resuming; default 0). */
  readonly step?: number;
  /** Optimizer state to resume from (copied); by default `update` initializes it. */
  readonly optState?: OptState;
  /** Where the data starts (when resuming): the first step reads the batch at this cursor. */
  readonly cursor?: DataCursor;
  /** Stop on the record of step `maxSteps`, without updating it (`stopReason: 'maxSteps'`). */
  readonly maxSteps?: number;
  /**
   * `'sync'` runs every step inside `subscribe` (fastest; blocks). `'sliced'` (the default) runs
   * steps for `sliceMs` at a time, then yields to the event loop. A `SchedulerLike` runs each
   * slice (by default one step) as an action on that scheduler.
   */
  readonly scheduler?: LoopScheduling;
  /** Longest slice in milliseconds (default 8; `'sliced'` and schedulers). */
  readonly sliceMs?: number;
  /** Most steps per slice (default unlimited for `'sliced'`, 1 for a `SchedulerLike`). */
  readonly sliceSteps?: number;
  /** Aborting stops the loop at the next step boundary with a final record (`stopReason: 'aborted'`). */
  readonly signal?: AbortSignal;
  /** Milliseconds clock for slicing (default the scheduler's `now`, else `performance.now`). */
  readonly clock?: () => number;
}

/**
 * The loop driver: feeds the step record into `pipeline` once per step and loops the weights
 * that `update` wrote back into it, without recursion (stack-safe for any number of steps).
 *
 * Emits what the pipeline emits. Completes when the pipeline completes (early stopping, `take`),
 * after the final record of `maxSteps`, an abort or the end of the data; errors when the pipeline
 * or the data errors. Unsubscribing stops it at the next step boundary.
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { dense, forward, fullBatch, gradient, loss, mse, sequential, sgd, train, update, createRng } from 'gradstream';
 * const model = sequential([dense(4, 4, { bias: false })]);
 * const l = mse();
 * train({
 *   params: model.init(createRng(1)),
 *   data: fullBatch([[1, 2, 3, 4]], [[2, 3, 4, 5]]),
 *   pipeline: pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0.01 }))),
 *   maxSteps: 100,
 * }).subscribe((r) => console.log(r.step, r.loss));
 */
export function train<R>(options: TrainOptions<R>): Observable<R> {
  const mode = options.scheduler ?? 'sliced';
  const maxSteps = options.maxSteps ?? Infinity;
  const startStep = options.step ?? 0;
  checkCount('maxSteps', maxSteps);
  checkCount('step', startStep);
  const sliceMs = options.sliceMs ?? 8;
  const sliceSteps = options.sliceSteps ?? (typeof mode === 'object' ? 1 : Infinity);
  if (!(sliceMs > 0)) throw new GradstreamError({ code: 'invalid_config', path: 'sliceMs', expected: 'a number > 0', received: String(sliceMs) });
  if (!(sliceSteps >= 1)) throw new GradstreamError({ code: 'invalid_config', path: 'sliceSteps', expected: 'a number ≥ 1', received: String(sliceSteps) });

  return new Observable<R>((outer) => {
    const clock = options.clock ?? (typeof mode === 'object' ? () => mode.now() : () => performance.now());
    const signal = options.signal;
    const reader = options.data.open(options.cursor);
    // The records' source: a minimal multicast (a Subject wraps every `next` in a closure).
    const feeds: Subscriber<StepRecord>[] = [];
    const input = new Observable<StepRecord>((feed) => {
      feeds.push(feed);
      return () => {
        const i = feeds.indexOf(feed);
        if (i >= 0) feeds.splice(i, 1);
      };
    });
    let cancelScheduled: (() => void) | null = null;
    let lastBatch: Batch | null = null;

    const record: StepRecord = {
      step: startStep,
      epoch: 0,
      batchIndex: 0,
      params: cloneParams(options.params),
      optState: options.optState === undefined ? undefined : structuredClone(options.optState),
      batch: EMPTY_BATCH,
      // every field present from the start, so the record keeps one hidden class
      output: undefined,
      cache: undefined,
      loss: Number.NaN,
      grads: undefined,
      lr: Number.NaN,
      stopReason: undefined,
      epochEnd: false,
      rng: undefined,
      dropped: 0,
      hold: () => {},
    };

    // The pipeline delivers straight to the subscriber (no wrapper per emission); once it completes
    // or errors, `outer.closed` ends the loop.
    const inner = options.pipeline(input).subscribe(outer);

    const completeFeeds = (): void => {
      for (const feed of feeds.slice()) feed.complete();
    };

    /** Runs one step; returns false once the loop is over. */
    const stepOnce = (): boolean => {
      if (outer.closed || feeds.length === 0) return false;
      let reason: StopReason | undefined;
      if (signal?.aborted === true) reason = 'aborted';
      else if (record.step >= maxSteps) reason = 'maxSteps';
      let batch = reader.next() as Batch | null;
      if (batch === null) {
        if (lastBatch === null) {
          completeFeeds();
          return false;
        }
        batch = lastBatch;
        reason ??= 'dataEnd';
      } else {
        const c = reader.cursor();
        record.epoch = c.epoch;
        record.batchIndex = c.batchIndex;
      }
      lastBatch = batch;
      record.batch = batch;
      if (reason !== undefined) record.stopReason = reason;
      for (let i = 0; i < feeds.length; i++) feeds[i]!.next(record);
      if (reason !== undefined) {
        completeFeeds();
        return false;
      }
      return true;
    };

    // Reading the clock costs about as much as a small step, so a slice reads it every `stride`
    // steps: 1/16 of the steps the previous slice managed (a slice overshoots by at most ~1/16).
    let stride = 1;
    const runSlice = (): void => {
      cancelScheduled = null;
      try {
        const start = clock();
        let n = 0;
        let check = stride;
        while (stepOnce()) {
          n += 1;
          if (n >= sliceSteps) {
            schedule();
            return;
          }
          if (n >= check) {
            if (clock() - start >= sliceMs) {
              stride = Math.max(1, Math.floor(n / 16));
              schedule();
              return;
            }
            check = n + stride;
          }
        }
      } catch (e: unknown) {
        outer.error(e);
      }
    };

    const schedule = (): void => {
      if (typeof mode === 'object') {
        const sub = mode.schedule(runSlice);
        cancelScheduled = () => sub.unsubscribe();
      } else {
        cancelScheduled = yieldToEventLoop(runSlice);
      }
    };

    if (mode === 'sync') {
      try {
        while (stepOnce());
      } catch (e: unknown) {
        outer.error(e);
      }
    } else {
      schedule();
    }

    return () => {
      cancelScheduled?.();
      inner.unsubscribe();
    };
  });
}

const EMPTY_BATCH: Batch = Object.freeze({ x: new Float64Array(0), y: new Float64Array(0), size: 0 });

function checkCount(name: string, v: number): void {
  if (!(v === Infinity || (Number.isInteger(v) && v >= 0))) {
    throw new GradstreamError({ code: 'invalid_config', path: name, expected: 'an integer ≥ 0', received: String(v) });
  }
}
