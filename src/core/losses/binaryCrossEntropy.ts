import type { Loss } from '../loss.js';
import { checkBoolean, checkOptions } from '../optimizers/checkOption.js';
import { sigmoidOf } from '../layers/sigmoid.js';
import { checkTarget } from './checkTarget.js';
import { EPSILON } from './epsilon.js';

/** Options of {@link binaryCrossEntropy}. */
export interface BinaryCrossEntropyOptions {
  /**
   * `pred` holds logits `z` (any real; the loss applies the sigmoid itself, stably) instead of
   * probabilities (default false, as in Keras).
   */
  readonly fromLogits?: boolean;
}

/**
 * Binary cross-entropy, the mean over every element of `−(t log p + (1 − t) log(1 − p))`, for
 * targets `t` in [0, 1] (one column per independent yes/no output).
 *
 * - From probabilities (default): `p` is clipped to `[1e-7, 1 − 1e-7]` as in Keras; gradient
 *   `(p − t) / (p (1 − p))` over `rows · cols` (0 where clipped).
 * - `fromLogits: true` (recommended: a linear last layer, no sigmoid): with `p = σ(z)`, the value
 *   is computed as `max(z, 0) − z t + log1p(e^−|z|)`, finite for any logit (±1000 included), and
 *   the gradient is the fused `(σ(z) − t) / (rows · cols)`.
 *
 * @example
 * import { binaryCrossEntropy } from 'gradstream';
 * const bce = binaryCrossEntropy({ fromLogits: true });
 * bce.value(new Float64Array([0]), new Float64Array([1]), 1, 1); // log 2
 */
export function binaryCrossEntropy(options: BinaryCrossEntropyOptions = {}): Loss {
  const fromLogits = checkBoolean(
    'binaryCrossEntropy.fromLogits',
    checkOptions('binaryCrossEntropy', options, ['fromLogits']).fromLogits ?? false,
  );
  const name = 'binaryCrossEntropy';
  if (fromLogits) {
    return {
      name,
      toConfig: () => ({ type: 'binaryCrossEntropy', fromLogits }),
      value(pred, target, rows, cols) {
        checkTarget(name, target, rows, cols);
        const n = rows * cols;
        let s = 0;
        for (let i = 0; i < n; i++) {
          const z = pred[i]!;
          s += (z > 0 ? z : 0) - z * target[i]! + Math.log1p(Math.exp(-Math.abs(z)));
        }
        return s / n;
      },
      grad(out, pred, target, rows, cols) {
        checkTarget(name, target, rows, cols);
        const n = rows * cols;
        const k = 1 / n;
        for (let i = 0; i < n; i++) out[i] = (sigmoidOf(pred[i]!) - target[i]!) * k;
        return out;
      },
    };
  }
  const hi = 1 - EPSILON;
  return {
    name,
    toConfig: () => ({ type: 'binaryCrossEntropy', fromLogits }),
    value(pred, target, rows, cols) {
      checkTarget(name, target, rows, cols);
      const n = rows * cols;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const p = Math.min(Math.max(pred[i]!, EPSILON), hi);
        const t = target[i]!;
        s -= t * Math.log(p) + (1 - t) * Math.log(1 - p);
      }
      return s / n;
    },
    grad(out, pred, target, rows, cols) {
      checkTarget(name, target, rows, cols);
      const n = rows * cols;
      const k = 1 / n;
      for (let i = 0; i < n; i++) {
        const p = pred[i]!;
        out[i] = p < EPSILON || p > hi ? 0 : ((p - target[i]!) / (p * (1 - p))) * k;
      }
      return out;
    },
  };
}
