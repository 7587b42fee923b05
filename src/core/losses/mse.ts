import type { Loss } from '../loss.js';
import { checkTarget } from './checkTarget.js';

/**
 * Mean squared error, `mean((pred − target)²)` over every element of the batch (Keras' `mse`),
 * with gradient `2 (pred − target) / (rows · cols)`.
 *
 * @example
 * import { mse } from 'gradstream';
 * mse().value(new Float64Array([1, 2]), new Float64Array([0, 0]), 1, 2); // 2.5
 */
export function mse(): Loss {
  return {
    name: 'mse',
    toConfig: () => ({ type: 'mse' }),
    value(pred, target, rows, cols) {
      const n = rows * cols;
      // the shape check inline, its error out of line: small enough for V8 to inline into the step
      if (target.length !== n) checkTarget('mse', target, rows, cols);
      let s = 0;
      for (let i = 0; i < n; i++) {
        const d = pred[i]! - target[i]!;
        s += d * d;
      }
      return s / n;
    },
    grad(out, pred, target, rows, cols) {
      const n = rows * cols;
      if (target.length !== n) checkTarget('mse', target, rows, cols);
      const k = 2 / n;
      for (let i = 0; i < n; i++) out[i] = k * (pred[i]! - target[i]!);
      return out;
    },
  };
}
