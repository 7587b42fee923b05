import type { Observable, OperatorFunction, SchedulerLike } from 'rxjs';
import type { OptState } from '../core/optimizer.js';
import type { Params } from '../core/params.js';
import type { Rng } from '../core/rng.js';
import type { BatchSource, DataCursor } from './batchSource.js';
import { checkTrainOptions } from './checkTrainOptions.js';
import { GuardedObservable } from './rxjsInternals.js';
import type { StepRecord } from './stepRecord.js';
import { TrainLoop } from './trainLoop.js';

/** How the loop runs: all at once, in time slices between event-loop turns, or on a scheduler. */
export type LoopScheduling = 'sync' | 'sliced' | SchedulerLike;

/** Options of {@link train}. */
export interface TrainOptions<R> {
  /** Initial weights. The run trains its own copy; these are never modified. */
  readonly params: Params;
  /** The mini-batches, one per step (in-memory, or asynchronous: the loop waits for data). */
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
   * `'sync'` runs every step inside `subscribe` (fastest; blocks) — until the loop must wait for
   * data or a sink's `hold`, after which it continues asynchronously. `'sliced'` (the default)
   * runs steps for `sliceMs` at a time, then yields to the event loop. A `SchedulerLike` runs each
   * slice (by default one step) as an action on that scheduler.
   */
  readonly scheduler?: LoopScheduling;
  /**
   * Longest slice in milliseconds (default 8; `'sliced'` and schedulers). In `'sliced'` mode,
   * after a yield that found other work on the event loop (its continuation came more than
   * 0.5 ms late: I/O, timers), slices last `sliceMs / 4` for the next 100 ms, so a request
   * that needs several event-loop turns waits for short slices only.
   */
  readonly sliceMs?: number;
  /** Most steps per slice (default unlimited for `'sliced'`, 1 for a `SchedulerLike`). */
  readonly sliceSteps?: number;
  /** Aborting stops the loop at the next step boundary with a final record (`stopReason: 'aborted'`). */
  readonly signal?: AbortSignal;
  /** Milliseconds clock for slicing (default the scheduler's `now`, else `performance.now`). */
  readonly clock?: () => number;
  /**
   * The run's seeded generator, put on every record (`record.rng`): dropout masks and anything
   * random inside a step draw from it, and checkpoints save its state. Used as given (not copied).
   */
  readonly rng?: Rng;
  /**
   * While the latest value is `true` the loop stops at the next step boundary, reads no data and
   * runs no step; it continues when a `false` arrives. Nothing is dropped.
   */
  readonly pause?: Observable<boolean>;
  /** When this emits, the loop ends at the next step boundary with a final record (`stopReason: 'stopped'`). */
  readonly stop?: Observable<unknown>;
}

/**
 * The loop driver: feeds the step record into `pipeline` once per step and loops the weights
 * that `update` wrote back into it, without recursion (stack-safe for any number of steps).
 *
 * The driver counts the steps: a step whose record does not come back updated (no `update` in the
 * pipeline, a `filter` before it, a copied record) errors the run at once with a
 * `GradstreamError` naming the likely cause, instead of spinning. It waits without spinning when
 * an asynchronous source has no batch yet (`NOT_READY`) and when a sink holds the loop
 * (`record.hold(promise)`), while paused, and until every hold has settled before it completes.
 *
 * Emits what the pipeline emits. Completes when the pipeline completes (early stopping, `take`),
 * after the final record of `maxSteps`, an abort, a stop or the end of the data; errors when the
 * pipeline, the data or a hold errors. Unsubscribing stops it at the next step boundary. A
 * subscriber whose own `next` throws stops the run at once; the error is reported once, the RxJS
 * way (`config.onUnhandledError`, else thrown asynchronously).
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
  checkTrainOptions(options);
  return new GuardedObservable<R>((outer) => new TrainLoop<R>(options, outer).start());
}

