import { GradstreamError, describeValue } from '../core/errors.js';
import type { SyncBatchSource } from './batchSource.js';
import type { Batch } from './stepRecord.js';
import { checkMatrix } from './toMatrix.js';

/**
 * The whole data set as one batch, every step (full-batch gradient descent, as in the lesson).
 * Each step is one epoch. `x` holds `rows × inputs` values and `y` `rows × outputs`, row major;
 * nested rows are accepted.
 *
 * @example
 * import { fullBatch } from 'gradstream';
 * const data = fullBatch([[1, 2, 3, 4]], [[2, 3, 4, 5]]);
 */
export function fullBatch(
  x: readonly (readonly number[])[] | Float64Array,
  y: readonly (readonly number[])[] | Float64Array,
  rows?: number,
): SyncBatchSource {
  const batch = toBatch(x, y, rows);
  return {
    open: (at) => new FullBatchReader(batch, at === undefined ? -1 : at.epoch - 1),
  };
}

/**
 * A run's reader of {@link fullBatch}: a class, so that `next` and `cursor` are the same
 * functions in every run (the loop calls them every step; V8 inlines them there).
 */
class FullBatchReader {
  private readonly position: { epoch: number; batchIndex: number; epochEnd: boolean };

  constructor(
    private readonly batch: Batch,
    epoch: number,
  ) {
    this.position = { epoch, batchIndex: 0, epochEnd: true };
  }

  next(): Batch {
    this.position.epoch += 1;
    return this.batch;
  }

  cursor(): { epoch: number; batchIndex: number; epochEnd: boolean } {
    return this.position;
  }
}

function toBatch(
  x: readonly (readonly number[])[] | Float64Array,
  y: readonly (readonly number[])[] | Float64Array,
  rows: number | undefined,
): Batch {
  checkMatrix(x, 'x');
  checkMatrix(y, 'y');
  if (rows !== undefined && !(typeof rows === 'number' && Number.isInteger(rows) && rows >= 1)) {
    throw new GradstreamError({
      code: 'invalid_dataset',
      path: 'fullBatch.rows',
      expected: 'an integer ≥ 1',
      received: describeValue(rows),
    });
  }
  const size = rows ?? (x instanceof Float64Array ? 1 : x.length);
  const xs = flattenRows(x, 'x', size);
  const ys = flattenRows(y, 'y', size);
  return { x: xs, y: ys, size };
}

/** Flat data checked as is: a positive multiple of `size` values, all finite. */
function checkFlat(m: Float64Array, name: string, size: number): Float64Array {
  if (m.length % size !== 0 || m.length === 0) {
    throw new GradstreamError({
      code: 'invalid_dataset',
      path: name,
      expected: `a positive multiple of ${size} values (${size} rows)`,
      received: String(m.length),
    });
  }
  for (let i = 0; i < m.length; i++) {
    if (!Number.isFinite(m[i])) {
      throw new GradstreamError({
        code: 'invalid_dataset',
        path: `${name}[${i}]`,
        expected: 'a finite number',
        received: describeValue(m[i]),
      });
    }
  }
  return m;
}

function flattenRows(m: readonly (readonly number[])[] | Float64Array, name: string, size: number): Float64Array {
  if (m instanceof Float64Array) return checkFlat(m, name, size);
  if (m.length !== size || size === 0) {
    throw new GradstreamError({ code: 'invalid_dataset', path: name, expected: `${size} rows (at least one)`, received: String(m.length) });
  }
  const first: unknown = m[0];
  if (!Array.isArray(first) || first.length === 0) {
    throw new GradstreamError({
      code: 'invalid_dataset',
      path: `${name}[0]`,
      expected: 'a non-empty row of numbers',
      received: describeValue(first),
    });
  }
  const cols = first.length;
  const out = new Float64Array(size * cols);
  for (let r = 0; r < size; r++) {
    const row: unknown = m[r];
    if (!Array.isArray(row) || row.length !== cols) {
      throw new GradstreamError({
        code: 'invalid_dataset',
        path: `${name}[${r}]`,
        expected: `${cols} numbers`,
        received: Array.isArray(row) ? String(row.length) : describeValue(row),
      });
    }
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new GradstreamError({
          code: 'invalid_dataset',
          path: `${name}[${r}][${c}]`,
          expected: 'a finite number',
          received: describeValue(v),
        });
      }
      out[r * cols + c] = v;
    }
  }
  return out;
}
