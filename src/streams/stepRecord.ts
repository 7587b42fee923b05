import type { ForwardCache } from '../core/model.js';
import type { OptState } from '../core/optimizer.js';
import type { Params } from '../core/params.js';

/** One mini-batch: `size` rows of inputs `x` and targets `y`, row major. */
export interface Batch {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly size: number;
}

/** Why training stopped; carried by the final record. */
export type StopReason = 'threshold' | 'plateau' | 'diverged' | 'maxSteps' | 'aborted' | 'dataEnd';

/**
 * The record that flows once per training step. Each operator fills its field:
 * `forward` → `output`, `cache`; `loss` → `loss`; `gradient` → `grads`; `update` → `lr`, `optState`.
 *
 * `step` counts updates already applied: the record of step `s` carries the weights after `s`
 * updates and their loss on `batch`. One record object is reused for the whole run and its
 * buffers are updated in place: everything in it is valid during its emission. Keep data with
 * {@link snapshot} (or copy what you need).
 */
export interface StepRecord {
  step: number;
  epoch: number;
  batchIndex: number;
  params: Params;
  optState: OptState | undefined;
  batch: Batch;
  output?: Float64Array;
  cache?: ForwardCache;
  loss?: number;
  grads?: Params;
  /** The learning rate of the update made from this step (NaN before `update` sets it). */
  lr: number;
  /** Set on the final record only. */
  stopReason?: StopReason;
}

/** A record after `forward`. */
export type WithOutput = { output: Float64Array; cache: ForwardCache };
/** A record after `loss`. */
export type WithLoss = { loss: number };
/** A record after `gradient`. */
export type WithGrads = { grads: Params };
