import { GradstreamError, describeValue } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { checkOptions } from './checkOptions.js';
import { rowCount, toMatrix, type MatrixInput } from './toMatrix.js';

/** One part of a split data set: `rows` rows of inputs `x` and targets `y`, row major. */
export interface ArraysPart {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly rows: number;
}

/** Options of {@link splitArrays}. */
export interface SplitArraysOptions {
  /** The fraction of rows held out for validation, in (0, 1) (default 0.2). */
  readonly validation?: number;
  /** Shuffle the rows before splitting with this seed (default: no shuffle; the last rows are held out, as Keras' `validation_split`). */
  readonly seed?: number;
  /** The number of rows, needed when `x` and `y` are both flat lists. */
  readonly rows?: number;
}

/**
 * Splits a data set into a training part and a held-out validation part (`round(rows ·
 * validation)` rows, at least one of each). Returns fresh flat copies; pass the parts to
 * {@link fromArrays} with their `rows`.
 *
 * @example
 * import { fromArrays, splitArrays } from 'gradstream';
 * const { train, validation } = splitArrays([[0], [1], [2], [3], [4]], [0, 1, 0, 1, 0], { validation: 0.2, seed: 1 });
 * const data = fromArrays(train.x, train.y, { rows: train.rows, batchSize: 2 });
 */
export function splitArrays(x: MatrixInput, y: MatrixInput, opts?: SplitArraysOptions): { train: ArraysPart; validation: ArraysPart } {
  const options = checkOptions('splitArrays', opts);
  const rows = rowCount(x, y, options.rows, 'splitArrays');
  const X = toMatrix(x, rows, 'x');
  const Y = toMatrix(y, rows, 'y');
  const fraction = options.validation ?? 0.2;
  const held = Math.round(rows * fraction);
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1) || held < 1 || held >= rows) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'splitArrays.validation',
      expected: `a fraction in (0, 1) leaving at least one row on each side of ${rows}`,
      received: describeValue(fraction),
    });
  }
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  if (options.seed !== undefined) createRng(options.seed).shuffle(order);
  const part = (from: number, to: number): ArraysPart => {
    const n = to - from;
    const px = new Float64Array(n * X.cols);
    const py = new Float64Array(n * Y.cols);
    for (let k = 0; k < n; k++) {
      const r = order[from + k]!;
      px.set(X.data.subarray(r * X.cols, (r + 1) * X.cols), k * X.cols);
      py.set(Y.data.subarray(r * Y.cols, (r + 1) * Y.cols), k * Y.cols);
    }
    return { x: px, y: py, rows: n };
  };
  return { train: part(0, rows - held), validation: part(rows - held, rows) };
}
