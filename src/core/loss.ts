import type { LossObjectConfig } from './config/lossConfig.js';

/**
 * A loss over a batch: `pred` is `[rows, cols]` row major; `target` has the same shape (or, for
 * losses that say so, one label per row). The value is a mean over the batch.
 */
export interface Loss {
  readonly name: string;
  /** The loss value. */
  value(pred: Readonly<Float64Array>, target: Readonly<Float64Array>, rows: number, cols: number): number;
  /** Writes `∂value/∂pred` into `out` (same shape as `pred`) and returns `out`. */
  grad(out: Float64Array, pred: Readonly<Float64Array>, target: Readonly<Float64Array>, rows: number, cols: number): Float64Array;
  /** The loss as config data (`lossFromConfig` rebuilds it). Built-in losses have it. */
  toConfig?(): LossObjectConfig;
}
