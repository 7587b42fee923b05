import { checkTarget } from '../losses/checkTarget.js';

/** Options of {@link accuracy}. */
export interface AccuracyOptions {
  /**
   * With one output column: the prediction counts as class 1 when it is above this threshold
   * (default 0.5, for probabilities; use 0 for logits).
   */
  readonly threshold?: number;
}

/**
 * The fraction of rows classified right, in [0, 1].
 *
 * - One output column (binary): class `pred > threshold` against `target > 0.5`.
 * - Several columns: the arg-max of each prediction row against the target's label (one integer
 *   per row, `target.length === rows`) or the arg-max of its one-hot row.
 *
 * @example
 * import { accuracy } from 'gradstream';
 * accuracy(new Float64Array([0.1, 0.9, 0.8, 0.2]), new Float64Array([1, 1]), 2, 2); // 0.5
 */
export function accuracy(
  pred: Readonly<Float64Array>,
  target: Readonly<Float64Array>,
  rows: number,
  cols: number,
  options: AccuracyOptions = {},
): number {
  checkTarget('accuracy', target, rows, cols, true);
  if (rows === 0) return Number.NaN;
  let right = 0;
  if (cols === 1) {
    const threshold = options.threshold ?? 0.5;
    for (let r = 0; r < rows; r++) if (pred[r]! > threshold === target[r]! > 0.5) right += 1;
    return right / rows;
  }
  const sparse = target.length === rows;
  for (let r = 0; r < rows; r++) {
    const predicted = argmax(pred, r * cols, cols);
    const actual = sparse ? target[r]! : argmax(target, r * cols, cols);
    if (predicted === actual) right += 1;
  }
  return right / rows;
}

function argmax(a: Readonly<Float64Array>, o: number, cols: number): number {
  let best = 0;
  for (let c = 1; c < cols; c++) if (a[o + c]! > a[o + best]!) best = c;
  return best;
}
