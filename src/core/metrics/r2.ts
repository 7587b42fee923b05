import { checkTarget } from '../losses/checkTarget.js';

/**
 * Coefficient of determination, `1 − Σ(t − p)² / Σ(t − mean t)²` per output column, averaged
 * over the columns (scikit-learn's `r2_score`, uniform average). A column whose target is
 * constant scores 1 when predicted exactly, else 0 (scikit-learn's `force_finite`).
 *
 * @example
 * import { r2 } from 'gradstream';
 * r2(new Float64Array([1, 2, 3]), new Float64Array([1, 2, 3]), 3, 1); // 1
 */
export function r2(pred: Readonly<Float64Array>, target: Readonly<Float64Array>, rows: number, cols: number): number {
  checkTarget('r2', target, rows, cols);
  let total = 0;
  for (let c = 0; c < cols; c++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += target[r * cols + c]!;
    mean /= rows;
    let res = 0;
    let tot = 0;
    for (let r = 0; r < rows; r++) {
      const t = target[r * cols + c]!;
      const d = t - pred[r * cols + c]!;
      res += d * d;
      tot += (t - mean) * (t - mean);
    }
    total += tot === 0 ? (res === 0 ? 1 : 0) : 1 - res / tot;
  }
  return total / cols;
}
