import { statsOf, statsOfSource, type ColumnStats } from './columnStats.js';
import { affineScaler, type Scaler } from './scaler.js';
import type { ScalerFit } from './standardize.js';

/**
 * Min-max scaling, as scikit-learn's `MinMaxScaler`: each input column becomes
 * `(x − min) / (max − min)`, in [0, 1] on the data it is fitted on (a constant column keeps a
 * range of 1). Fit on the training part only; values outside the fitted range map outside [0, 1].
 *
 * @example
 * import { minMax } from 'gradstream';
 * const scaler = minMax().fit([[0, 10], [5, 20], [10, 30]]);
 * scaler.transform(new Float64Array([5, 30])); // [0.5, 1]
 */
export function minMax(): ScalerFit {
  return {
    fit: (x, rows) => fromStats(statsOf(x, rows, 'minMax')),
    fitSource: async (source) => fromStats(await statsOfSource(source, 'minMax')),
  };
}

function fromStats(s: ColumnStats): Scaler {
  return minMaxFrom(s.min, s.max);
}

/** The min-max scaler of given column minima and maxima (what `scalerFromJSON` rebuilds). */
export function minMaxFrom(min: ArrayLike<number>, max: ArrayLike<number>): Scaler {
  const lo = Float64Array.from(min);
  const hi = Float64Array.from(max);
  const factor = lo.map((v, i) => (hi[i]! > v ? 1 / (hi[i]! - v) : 1));
  return affineScaler('minMax', lo, factor, () => ({ type: 'minMax', min: Array.from(lo), max: Array.from(hi) }));
}
