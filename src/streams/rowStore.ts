import { GradstreamError, describeValue } from '../core/errors.js';
import { toMatrix, type MatrixInput } from './toMatrix.js';

/**
 * Inputs of at least this many values given as a `Float64Array` are checked and copied row by row
 * as they are first read (a batch's rows at a time), not all at once: copying 51 MB takes ≈ 45 ms,
 * a stall of the event loop before the first step.
 */
export const LAZY_COPY_MIN_VALUES = 262_144;

/**
 * A data set's own copy of `rows × cols` values (row major). Small or nested input is checked and
 * copied at once; a large `Float64Array` is checked and copied one row the first time the row is
 * read ({@link RowStore.row}, {@link RowStore.rows}), so no step copies more than its batch.
 */
export class RowStore {
  /** The copy (rows not read yet are zeros until {@link RowStore.rows} or {@link RowStore.row} reaches them). */
  readonly data: Float64Array;
  readonly cols: number;
  /** Rows copied so far. */
  copied: number;
  private readonly source: Float64Array | null;
  private readonly seen: Uint8Array | null;

  constructor(
    m: MatrixInput,
    readonly count: number,
    private readonly name: string,
  ) {
    if (m instanceof Float64Array && m.length >= LAZY_COPY_MIN_VALUES) {
      if (m.length % count !== 0) {
        throw new GradstreamError({
          code: 'invalid_dataset',
          path: name,
          expected: `a positive multiple of ${count} values (${count} rows)`,
          received: String(m.length),
        });
      }
      this.source = m;
      this.cols = m.length / count;
      this.data = new Float64Array(m.length);
      this.seen = new Uint8Array(count);
      this.copied = 0;
      return;
    }
    const matrix = toMatrix(m, count, name);
    this.source = null;
    this.seen = null;
    this.cols = matrix.cols;
    // toMatrix copies nested rows and lists; a Float64Array comes back as it is
    this.data = matrix.data === m ? matrix.data.slice() : matrix.data;
    this.copied = count;
  }

  /** Makes rows `[r0, r1)` of {@link RowStore.data} valid. */
  rows(r0: number, r1: number): void {
    if (this.seen === null) return;
    for (let r = r0; r < r1; r++) if (this.seen[r] === 0) this.take(r);
  }

  /** Makes row `r` of {@link RowStore.data} valid. */
  row(r: number): void {
    if (this.seen !== null && this.seen[r] === 0) this.take(r);
  }

  /** Checks and copies row `r` (errors on a value that is not a finite number). */
  private take(r: number): void {
    const src = this.source!;
    const cols = this.cols;
    const o = r * cols;
    for (let i = o; i < o + cols; i++) {
      const v = src[i]!;
      if (!Number.isFinite(v)) {
        const where = cols === 1 ? `${this.name}[${i}]` : `${this.name}[${i}] (row ${r}, column ${i - o})`;
        throw new GradstreamError({ code: 'invalid_dataset', path: where, expected: 'a finite number', received: describeValue(v) });
      }
      this.data[i] = v;
    }
    this.seen![r] = 1;
    this.copied += 1;
  }
}
