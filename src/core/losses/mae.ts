import type { Loss } from '../loss.js';
import { checkTarget } from './checkTarget.js';

/**
 * Mean absolute error, `mean(|pred − target|)` over every element of the batch (Keras' `mae`),
 * with gradient `sign(pred − target) / (rows · cols)` (0 where they are equal).
 *
 * @example
 * import { mae } from 'gradstream';
 * mae().value(new Float64Array([1, -2]), new Float64Array([0, 0]), 1, 2); // 1.5
 */
export function mae(): Loss {
  return {
    name: 'mae',
    toConfig: () => ({ type: 'mae' }),
    value(pred, target, rows, cols) {
      checkTarget('mae', target, rows, cols);
      const n = rows * cols;
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.abs(pred[i]! - target[i]!);
      return s / n;
    },
    grad(out, pred, target, rows, cols) {
      checkTarget('mae', target, rows, cols);
      const n = rows * cols;
      const k = 1 / n;
      for (let i = 0; i < n; i++) {
        const d = pred[i]! - target[i]!;
        out[i] = d > 0 ? k : d < 0 ? -k : 0;
      }
      return out;
    },
  };
}
