import { GradstreamError, describeValue } from '../core/errors.js';

/** Rows of numbers: nested rows, or a flat row-major list (typed array or numbers). */
export type MatrixInput = readonly (readonly number[])[] | Float64Array | readonly number[];

/** A row-major matrix: `rows × cols` values. */
export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** Whether the input is nested rows (`[[…], […]]`). */
export function isNested(m: MatrixInput): m is readonly (readonly number[])[] {
  return !(m instanceof Float64Array) && m.length > 0 && Array.isArray(m[0]);
}

/**
 * Flattens `m` into a row-major matrix of `rows` rows, checking every value is a finite number
 * and every row has the same length. Flat input is split into `rows` equal rows (a flat list of
 * `rows` numbers is one column: labels). `name` prefixes error paths (`x[3][1]`).
 */
export function toMatrix(m: MatrixInput, rows: number, name: string): Matrix {
  checkMatrix(m, name);
  if (isNested(m)) {
    if (m.length !== rows) {
      throw new GradstreamError({ code: 'invalid_dataset', path: name, expected: `${rows} rows`, received: String(m.length) });
    }
    const cols = m[0]!.length;
    if (cols === 0)
      throw new GradstreamError({
        code: 'invalid_dataset',
        path: `${name}[0]`,
        expected: 'at least one number per row',
        received: 'an empty row',
      });
    const data = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      const row = m[r]!;
      if (!Array.isArray(row) || row.length !== cols) {
        throw new GradstreamError({
          code: 'invalid_dataset',
          path: `${name}[${r}]`,
          expected: `${cols} numbers`,
          received: describeValue(row),
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
        data[r * cols + c] = v;
      }
    }
    return { data, rows, cols };
  }
  if (m.length === 0 || m.length % rows !== 0) {
    throw new GradstreamError({
      code: 'invalid_dataset',
      path: name,
      expected: `a positive multiple of ${rows} values (${rows} rows)`,
      received: String(m.length),
    });
  }
  // Checked before any conversion: `Float64Array.from` would coerce null → 0, "3" → 3, true → 1.
  for (let i = 0; i < m.length; i++) {
    const v: unknown = m[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throwNotFinite(name, i, m.length / rows, v);
  }
  const data = m instanceof Float64Array ? m : Float64Array.from(m);
  return { data, rows, cols: data.length / rows };
}

/** A non-finite or non-numeric value at flat index `i` (row `i / cols`, column `i % cols`). */
function throwNotFinite(name: string, i: number, cols: number, v: unknown): never {
  const where = cols === 1 ? `${name}[${i}]` : `${name}[${i}] (row ${Math.floor(i / cols)}, column ${i % cols})`;
  throw new GradstreamError({ code: 'invalid_dataset', path: where, expected: 'a finite number', received: describeValue(v) });
}

/** Refuses anything that is not rows of numbers (nested arrays, a flat list or a Float64Array). */
export function checkMatrix(m: unknown, name: string): asserts m is MatrixInput {
  if (!(m instanceof Float64Array) && !Array.isArray(m)) {
    throw new GradstreamError({
      code: 'invalid_dataset',
      path: name,
      expected: 'rows of numbers (nested arrays, a flat list or a Float64Array)',
      received: describeValue(m),
    });
  }
}

/** The number of rows of a data set: from `rows`, else from whichever input is nested. */
export function rowCount(x: MatrixInput, y: MatrixInput, rows: number | undefined, where: string): number {
  checkMatrix(x, 'x');
  checkMatrix(y, 'y');
  const n = rows ?? (isNested(x) ? x.length : isNested(y) ? y.length : undefined);
  if (n === undefined || !Number.isInteger(n) || n < 1) {
    throw new GradstreamError({
      code: 'invalid_dataset',
      path: `${where}.rows`,
      expected: 'a positive integer (give `rows` when x and y are both flat)',
      received: describeValue(n),
    });
  }
  return n;
}
