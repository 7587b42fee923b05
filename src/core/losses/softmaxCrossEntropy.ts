import { GradstreamError, describeValue } from '../errors.js';
import type { Loss } from '../loss.js';
import { checkBoolean, checkOptions } from '../optimizers/checkOption.js';
import { softmaxRows } from '../layers/softmax.js';
import { EPSILON } from './epsilon.js';

/** Options of {@link softmaxCrossEntropy}. */
export interface SoftmaxCrossEntropyOptions {
  /**
   * `pred` holds logits (default true: the stable, fused path) rather than probabilities from a
   * `softmax()` layer (`false`, Keras' `categorical_crossentropy`).
   */
  readonly fromLogits?: boolean;
}

/**
 * Categorical cross-entropy over `cols` classes, mean over the `rows` of the batch of
 * `−Σ_c t_c log p_c`. The target is either one class index per row (`target.length === rows`,
 * integer labels, Keras' "sparse" form) or a row of `cols` class weights per row (one-hot or soft
 * labels, `target.length === rows · cols`).
 *
 * - `fromLogits: true` (the default; use a linear last layer, no softmax): `p = softmax(z)` is
 *   never formed for the value, which is `Σ_c t_c (logsumexp(z) − z_c)` with the row maximum
 *   subtracted first — finite for logits of any size (±1000 included). The gradient is the fused
 *   `(softmax(z) · Σ_c t_c − t) / rows`, i.e. `(softmax(z) − onehot) / rows`.
 * - `fromLogits: false`: `pred` are probabilities (a `softmax()` layer's output), clipped to
 *   `[1e-7, 1 − 1e-7]` as in Keras; gradient `−t_c / (p_c · rows)` (0 where clipped). Less
 *   precise once probabilities underflow; prefer logits for training.
 *
 * Errors with a `GradstreamError` when the target has neither shape or a label is not an integer
 * in `[0, cols)`.
 *
 * @example
 * import { softmaxCrossEntropy } from 'gradstream';
 * const ce = softmaxCrossEntropy();
 * // two rows of three logits; labels 2 and 0
 * ce.value(new Float64Array([1, 2, 3, 0, 0, 0]), new Float64Array([2, 0]), 2, 3);
 */
export function softmaxCrossEntropy(options: SoftmaxCrossEntropyOptions = {}): Loss {
  const fromLogits = checkBoolean(
    'softmaxCrossEntropy.fromLogits',
    checkOptions('softmaxCrossEntropy', options, ['fromLogits']).fromLogits ?? true,
  );
  const name = 'softmaxCrossEntropy';
  return {
    name,
    toConfig: () => ({ type: 'softmaxCrossEntropy', fromLogits }),
    value(pred, target, rows, cols) {
      const sparse = isSparse(name, target, rows, cols);
      let s = 0;
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        if (fromLogits) {
          let max = -Infinity;
          for (let c = 0; c < cols; c++) if (pred[o + c]! > max) max = pred[o + c]!;
          let sum = 0;
          for (let c = 0; c < cols; c++) sum += Math.exp(pred[o + c]! - max);
          const lse = max + Math.log(sum);
          if (sparse) s += lse - pred[o + label(name, target, r, cols)]!;
          else for (let c = 0; c < cols; c++) s += target[o + c]! * (lse - pred[o + c]!);
        } else if (sparse) {
          s -= Math.log(clip(pred[o + label(name, target, r, cols)]!));
        } else {
          for (let c = 0; c < cols; c++) s -= target[o + c]! * Math.log(clip(pred[o + c]!));
        }
      }
      return s / rows;
    },
    grad(out, pred, target, rows, cols) {
      const sparse = isSparse(name, target, rows, cols);
      const k = 1 / rows;
      if (fromLogits) {
        softmaxRows(out, pred, rows, cols);
        for (let r = 0; r < rows; r++) {
          const o = r * cols;
          if (sparse) {
            for (let c = 0; c < cols; c++) out[o + c]! *= k;
            out[o + label(name, target, r, cols)]! -= k;
          } else {
            let mass = 0;
            for (let c = 0; c < cols; c++) mass += target[o + c]!;
            for (let c = 0; c < cols; c++) out[o + c] = (out[o + c]! * mass - target[o + c]!) * k;
          }
        }
        return out;
      }
      const n = rows * cols;
      out.fill(0, 0, n);
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        if (sparse) {
          const i = o + label(name, target, r, cols);
          const p = pred[i]!;
          if (p >= EPSILON && p <= 1 - EPSILON) out[i] = -k / p;
        } else {
          for (let c = 0; c < cols; c++) {
            const p = pred[o + c]!;
            if (p >= EPSILON && p <= 1 - EPSILON) out[o + c] = (-k * target[o + c]!) / p;
          }
        }
      }
      return out;
    },
  };
}

function clip(p: number): number {
  return p < EPSILON ? EPSILON : p > 1 - EPSILON ? 1 - EPSILON : p;
}

/** Whether the target holds one label per row (true) or one value per class (false). */
function isSparse(name: string, target: Readonly<Float64Array>, rows: number, cols: number): boolean {
  if (target.length === rows * cols) return false;
  if (target.length === rows) return true;
  throw new GradstreamError({
    code: 'invalid_shape',
    path: `${name}(target)`,
    expected: `${rows} class labels (one per row) or ${rows * cols} values (${rows} rows × ${cols} classes)`,
    received: String(target.length),
  });
}

function label(name: string, target: Readonly<Float64Array>, r: number, cols: number): number {
  const v = target[r]!;
  if (!(Number.isInteger(v) && v >= 0 && v < cols)) {
    throw new GradstreamError({
      code: 'invalid_value',
      path: `${name}(target)[${r}]`,
      expected: `a class label, an integer in [0, ${cols})`,
      received: describeValue(v),
    });
  }
  return v;
}
