import { mae } from '../losses/mae.js';
import { checkTarget } from '../losses/checkTarget.js';

/** The loss whose value this metric is (stateless). */
const MAE = mae();

/**
 * Mean absolute error over every element, `mean(|pred − target|)` (the `mae` metric; the loss of
 * the same name is `mae()`).
 *
 * @example
 * import { meanAbsoluteError } from 'gradstream';
 * meanAbsoluteError(new Float64Array([1, -2]), new Float64Array([0, 0]), 2, 1); // 1.5
 */
export function meanAbsoluteError(pred: Readonly<Float64Array>, target: Readonly<Float64Array>, rows: number, cols: number): number {
  checkTarget('meanAbsoluteError', target, rows, cols);
  return MAE.value(pred, target, rows, cols);
}
