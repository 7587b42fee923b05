import { mse } from '../losses/mse.js';
import { checkTarget } from '../losses/checkTarget.js';

/** The loss whose value this metric is (stateless). */
const MSE = mse();

/**
 * Root mean squared error over every element, `sqrt(mean((pred − target)²))`.
 *
 * @example
 * import { rmse } from 'gradstream';
 * rmse(new Float64Array([3, -4]), new Float64Array([0, 0]), 2, 1); // sqrt(12.5)
 */
export function rmse(pred: Readonly<Float64Array>, target: Readonly<Float64Array>, rows: number, cols: number): number {
  checkTarget('rmse', target, rows, cols);
  return Math.sqrt(MSE.value(pred, target, rows, cols));
}
