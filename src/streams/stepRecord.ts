import type { ForwardCache } from '../core/model.js';
import type { OptState } from '../core/optimizer.js';
import type { Params } from '../core/params.js';
import type { Rng } from '../core/rng.js';

/** One mini-batch: `size` rows of inputs `x` and targets `y`, row major. */
export interface Batch {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly size: number;
}

/** Why training stopped; carried by the final record. */
export type StopReason = (typeof STOP_REASONS)[number];

/** Every {@link StopReason}, in a fixed order (worker messages send a reason as its index here). */
export const STOP_REASONS = [
  'threshold',
  'plateau',
  'diverged',
  'maxSteps',
  'maxEpochs',
  'timeout',
  'aborted',
  'stopped',
  'dataEnd',
] as const;

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
  /** True on the last step of an epoch (sources that know their epochs). */
  epochEnd: boolean;
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
  /** The run's seeded generator (`train({ rng })`): dropout masks and anything random in a step. */
  rng: Rng | undefined;
  /** Samples an asynchronous source dropped so far by its overflow policy. */
  dropped: number;
  /**
   * Invalid samples an asynchronous source refused so far (policy `invalid: 'skip'`), from the
   * reader's `rejected()`, copied like `dropped`.
   */
  rejected: number;
  /**
   * Makes the loop wait for `work` before the next step (a sink that must not miss a step — a
   * checkpoint, a JSON Lines log, a broker acknowledgement). In every scheduling mode, sync
   * included: a sync run then continues asynchronously. A rejection errors the run with its reason.
   * Bound to the run: copies of the record share it.
   */
  readonly hold: (work: PromiseLike<unknown>) => void;
}

/** A record after `forward`. */
export type WithOutput = { output: Float64Array; cache: ForwardCache };
/** A record after `loss`. */
export type WithLoss = { loss: number };
/** A record after `gradient`. */
export type WithGrads = { grads: Params };

const noHold = (): void => {};

/**
 * A step record outside a training run (operator tests, evaluation): every field present, `step`,
 * `epoch` and `batchIndex` 0 unless given, and a `hold` that waits for nothing.
 */
export function createStepRecord(params: Params, batch: Batch, fields: Partial<Omit<StepRecord, 'params' | 'batch'>> = {}): StepRecord {
  return {
    step: 0,
    epoch: 0,
    batchIndex: 0,
    epochEnd: false,
    optState: undefined,
    output: undefined,
    cache: undefined,
    loss: Number.NaN,
    grads: undefined,
    lr: Number.NaN,
    stopReason: undefined,
    rng: undefined,
    dropped: 0,
    rejected: 0,
    hold: noHold,
    ...fields,
    params,
    batch,
  };
}
