import type { Observable, OperatorFunction, SchedulerLike } from 'rxjs';
import type { OptState } from '../core/optimizer.js';
import type { Params } from '../core/params.js';
import type { Rng } from '../core/rng.js';
import type { BatchSource, DataCursor } from './batchSource.js';
import type { StepRecord } from './stepRecord.js';

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
