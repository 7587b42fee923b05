import { checkMetricTarget } from './checkMetricTarget.js';

/**
 * Mean absolute error over every element, `mean(|pred − target|)` (the `mae` metric; the loss of
 * the same name is `mae()`).
 *
 * @example
 * import { meanAbsoluteError } from 'gradstream';
 * meanAbsoluteError(new Float64Array([1, -2]), new Float64Array([0, 0]), 2, 1); // 1.5
 */
export function meanAbsoluteError(pred: Readonly<Float64Array>, target: Readonly<Float64Array>, rows: number, cols: number): number {
  checkMetricTarget('meanAbsoluteError', target, rows, cols);
  const n = rows * cols;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(pred[i]! - target[i]!);
  return s / n;
}
