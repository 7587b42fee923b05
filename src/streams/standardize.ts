import type { BatchSource } from './batchSource.js';
import { statsOf, statsOfSource, type ColumnStats } from './columnStats.js';
import { affineScaler, type Scaler } from './scaler.js';
import type { ArraysPart } from './splitArrays.js';
import type { MatrixInput } from './toMatrix.js';

/** A scaler not fitted yet: fit it on the training inputs only. */
export interface ScalerFit {
  /** Fits on in-memory inputs (nested rows, a flat list with `rows`, or an `ArraysPart`'s `x`). */
  fit(x: MatrixInput | ArraysPart, rows?: number): Scaler;
  /** Fits on the inputs of one epoch of a source, streamed (e.g. the training part of a file). */
  fitSource(source: BatchSource): Promise<Scaler>;
}

/**
 * Standardization, as scikit-learn's `StandardScaler`: each input column becomes
 * `(x − mean) / std` with the mean and population standard deviation of the data it is fitted on
 * (a constant column keeps std 1). Fit on the training part only; apply the same scaler to
 * validation data and at prediction (see `withScaler`).
 *
 * @example
 * import { splitArrays, standardize, withScaler, dense, sequential } from 'gradstream';
 * const { train, validation } = splitArrays([[1, 200], [2, 300], [3, 250], [4, 100]], [0, 1, 1, 0], { validation: 0.25, seed: 1 });
 * const scaler = standardize().fit(train);
 * const model = withScaler(sequential([dense(2, 1)]), scaler); // forward, validation and predict scale their inputs
 * const saved = scaler.toJSON(); // { type: 'standardize', mean: […], std: […] }
 */
export function standardize(): ScalerFit {
  return {
    fit: (x, rows) => fromStats(statsOf(x, rows, 'standardize')),
    fitSource: async (source) => fromStats(await statsOfSource(source, 'standardize')),
  };
}

function fromStats(s: ColumnStats): Scaler {
  const std = s.variance.map((v) => (v > 0 ? Math.sqrt(v) : 1));
  return standardizeFrom(s.mean, std);
}

/** The standardize scaler of given means and standard deviations (what `scalerFromJSON` rebuilds). */
export function standardizeFrom(mean: ArrayLike<number>, std: ArrayLike<number>): Scaler {
  const shift = Float64Array.from(mean);
  const sd = Float64Array.from(std);
  const factor = sd.map((v) => 1 / v);
  return affineScaler('standardize', shift, factor, () => ({ type: 'standardize', mean: Array.from(shift), std: Array.from(sd) }));
}
