import { checkMetricTarget } from './checkMetricTarget.js';

/**
 * Root mean squared error over every element, `sqrt(mean((pred − target)²))`.
 *
 * @example
 * import { rmse } from 'gradstream';
 * rmse(new Float64Array([3, -4]), new Float64Array([0, 0]), 2, 1); // sqrt(12.5)
 */
export function rmse(pred: Readonly<Float64Array>, target: Readonly<Float64Array>, rows: number, cols: number): number {
  checkMetricTarget('rmse', target, rows, cols);
  const n = rows * cols;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i]! - target[i]!;
    s += d * d;
  }
  return Math.sqrt(s / n);
}
