import type { Observable, Subscribable } from 'rxjs';
import type { GradstreamError } from '../core/errors.js';
import type { Params } from '../core/params.js';
import type { StopReason } from '../streams/stepRecord.js';

/**
 * What `steps$` emits for each step: a small frozen object of the step's scalars, safe to keep
 * (weights and batches stay in the run; use `sinks` to see whole step records).
 */
export interface StepView {
  readonly step: number;
  readonly epoch: number;
  readonly batchIndex: number;
  /** True on the last step of an epoch. */
  readonly epochEnd: boolean;
  /** The loss of this step's weights on its batch (NaN when the pipeline sets none). */
  readonly loss: number;
  /** The epoch's mean loss over its rows, on the last step of an epoch (`record.epochLoss`, with `epochMean` among the sinks). */
  readonly epochLoss: number | undefined;
  /** The validation loss, on records that carry one (`record.valLoss`). */
  readonly valLoss: number | undefined;
  /** The learning rate of the update made from this step. */
  readonly lr: number;
  /** Milliseconds since the run started (wall clock, pauses included). */
  readonly time: number;
  /** Set on the final step only. */
  readonly stopReason: StopReason | undefined;
  /** True when a drift detector marked this step (`record.drift`). */
  readonly drift: boolean;
}

/** One file a checkpoint sink reported (`written$` of a sink given to `fit`). */
export interface CheckpointInfo {
  readonly path: string;
  readonly step: number;
  readonly loss: number | undefined;
}

/** One line of an epoch: emitted by `epochs$` on each step that ends an epoch. */
export interface EpochView {
  readonly epoch: number;
  readonly step: number;
  /** The loss of the epoch's last step. */
  readonly loss: number;
  /** The epoch's mean loss over its rows (with `epochMean` among the sinks). */
  readonly epochLoss: number | undefined;
  readonly valLoss: number | undefined;
}

/** What may pause a run: the app (`pause()`) or a consumer applying backpressure. */
export type PauseSource = 'user' | 'backpressure';

/** The lifecycle and notable moments of a run, on `events$`. */
export type TrainingEvent =
  | { readonly type: 'started'; readonly step: number; readonly time: number }
  | {
      readonly type: 'epochEnd';
      readonly epoch: number;
      readonly step: number;
      readonly loss: number;
      readonly epochLoss: number | undefined;
      readonly valLoss: number | undefined;
    }
  | { readonly type: 'checkpointWritten'; readonly path: string; readonly step: number; readonly loss: number | undefined }
  | { readonly type: 'drift'; readonly step: number; readonly loss: number }
  | { readonly type: 'paused'; readonly step: number; readonly by: PauseSource }
  | { readonly type: 'resumed'; readonly step: number; readonly by: PauseSource }
  | { readonly type: 'hyperParam'; readonly name: string; readonly value: number; readonly step: number }
  | { readonly type: 'hyperParamRejected'; readonly name: string; readonly received: unknown; readonly error: GradstreamError }
  | { readonly type: 'stopped'; readonly reason: StopReason | undefined; readonly step: number; readonly loss: number }
  | { readonly type: 'error'; readonly error: unknown };

/** Where a run stands. */
export type TrainingStatus = 'idle' | 'running' | 'paused' | 'done' | 'error';

/** The latest state of a run, from {@link Training.getSnapshot} (a fresh frozen object). */
export interface TrainingSnapshot {
  readonly status: TrainingStatus;
  /** The step of the latest record seen (the initial step before the first one). */
  readonly step: number;
  readonly epoch: number;
  readonly loss: number;
  readonly valLoss: number | undefined;
  readonly lr: number;
  /** Steps per second since the run started, time spent paused left out. */
  readonly stepsPerSecond: number;
  /** Milliseconds since the run started. */
  readonly time: number;
  readonly stopReason: StopReason | undefined;
  /** The current values of the live hyperparameters given to `fit`. */
  readonly hyperParams: Readonly<Record<string, number>>;
  readonly error: unknown;
}

/** How a run ended: from {@link Training.done} and {@link Training.stop}. */
export interface TrainingResult {
  readonly stopReason: StopReason | undefined;
  /** The step of the final record. */
  readonly step: number;
  readonly loss: number;
  /** A copy of the final weights. */
  readonly params: Params;
}

/** Options of {@link Training.steps}. */
export interface StepsIteratorOptions {
  /**
   * `'latest'` (default): keeps only the newest step not yet read (constant memory; a slow reader
   * skips steps; training never waits). `'all'`: queues every step; when `highWaterMark` steps wait
   * unread the run pauses (`by: 'backpressure'`) until half of them are read, so memory stays
   * bounded by about `highWaterMark` views and no step is skipped.
   */
  readonly strategy?: 'latest' | 'all';
  /** Queue bound of `'all'` (default 1024). */
  readonly highWaterMark?: number;
}

/**
 * One training run, started by `fit`. Every stream is multicast (one run however many subscribe).
 * The run starts on {@link Training.start}, or — when `start()` is not called — in a microtask
 * after the first subscription to any stream, so subscriptions made together see the whole run
 * even with `scheduler: 'sync'`. A run started by a subscription stops (`'stopped'`) when its last
 * subscriber unsubscribes; a run started by `start()` continues until it ends or `stop()`.
 *
 * Late subscribers: `loss$` and `valLoss$` replay their last value; `steps$`, `epochs$`,
 * `checkpoints$` and `events$` emit only what happens after subscribing (`getSnapshot()` gives the
 * latest state). All streams complete when the run ends (after the final checkpoint); on a failure
 * `events$` emits `{ type: 'error' }` and completes, the other streams error.
 */
export interface Training {
  /** Every step, as a {@link StepView}. */
  readonly steps$: Observable<StepView>;
  /** The loss of every step; replays the last one. */
  readonly loss$: Observable<number>;
  /** Each new validation loss; replays the last one. */
  readonly valLoss$: Observable<number>;
  /** Each step that ends an epoch. */
  readonly epochs$: Observable<EpochView>;
  /** Each checkpoint file written by a sink that reports them (`written$`). */
  readonly checkpoints$: Observable<CheckpointInfo>;
  /** Lifecycle events; see {@link TrainingEvent}. */
  readonly events$: Observable<TrainingEvent>;
  /** `from(training)` is `steps$`. */
  [Symbol.observable](): Subscribable<StepView>;
  /** The latest state (a fresh frozen object). */
  getSnapshot(): TrainingSnapshot;
  /** Starts the run now (idempotent); with `scheduler: 'sync'` it runs to the end inside this call. */
  start(): Training;
  /** Stops stepping at the next step boundary; nothing is dropped. Idempotent. */
  pause(): void;
  /** Continues a paused run from the same step. */
  resume(): void;
  /**
   * Ends the run cleanly at the next step boundary: one more record is evaluated and marked
   * `stopReason: 'stopped'` (not updated), the sinks see it (a checkpoint writes it), then the
   * streams complete. Resolves after the final checkpoint has been written.
   */
  stop(): Promise<TrainingResult>;
  /** Resolves when the run has ended (rejects with its error). Does not start the run. */
  done(): Promise<TrainingResult>;
  /**
   * Sets a live hyperparameter given to `fit({ hyperParams })` from outside, from the next step on.
   * An invalid value (`"abc"`, NaN, out of range; `min` defaults to 0) is refused: the cell keeps
   * its last good value, the refusal is reported on `events$` (`hyperParamRejected`) and returned.
   */
  set(name: string, value: unknown): GradstreamError | undefined;
  /** An async iterator over the steps; see {@link StepsIteratorOptions} for its memory rule. */
  steps(options?: StepsIteratorOptions): AsyncIterableIterator<StepView>;
  /**
   * Holds the run paused until the returned function is called (for adapters applying
   * backpressure); independent of `pause()` / `resume()`.
   */
  holdPause(by?: PauseSource): () => void;
}
