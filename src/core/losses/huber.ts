import { GradstreamError, describeTyped } from '../errors.js';
import type { Loss } from '../loss.js';
import { checkTarget } from './checkTarget.js';

/**
 * Huber loss (Keras' `huber`), the mean over every element of `½ d²` where `|d| ≤ delta` and
 * `delta · (|d| − ½ delta)` beyond, with `d = pred − target`: quadratic near the target, linear
 * (robust to outliers) far from it. Gradient: `d`, or `delta · sign(d)`, over `rows · cols`.
 *
 * @example
 * import { huber } from 'gradstream';
 * huber(1).value(new Float64Array([0.5, 3]), new Float64Array([0, 0]), 1, 2); // (0.125 + 2.5) / 2
 */
export function huber(delta = 1): Loss {
  if (typeof delta !== 'number' || !(delta > 0 && Number.isFinite(delta))) {
    throw new GradstreamError({
      code: 'invalid_value',
      path: 'huber(delta)',
      expected: 'a finite number > 0',
      received: describeTyped(delta),
    });
  }
  const half = 0.5 * delta;
  return {
    name: 'huber',
    toConfig: () => ({ type: 'huber', delta }),
    value(pred, target, rows, cols) {
      checkTarget('huber', target, rows, cols);
      const n = rows * cols;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const a = Math.abs(pred[i]! - target[i]!);
        s += a <= delta ? 0.5 * a * a : delta * (a - half);
      }
      return s / n;
    },
    grad(out, pred, target, rows, cols) {
      checkTarget('huber', target, rows, cols);
      const n = rows * cols;
      const k = 1 / n;
      for (let i = 0; i < n; i++) {
        const d = pred[i]! - target[i]!;
        out[i] = (d > delta ? delta : d < -delta ? -delta : d) * k;
      }
      return out;
    },
  };
}
