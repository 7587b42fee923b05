/**
 * The number of columns of a `[rows, cols]` output of `size` numbers, remembered for the last
 * shape: `loss` and `gradient` ask every step, and an integer division costs more than two
 * comparisons.
 */
export class OutputShape {
  private size = -1;
  private rows = -1;
  private lastCols = 0;

  /** `size / rows` (an integer for a well-formed output; a fraction otherwise, as the division gives). */
  cols(size: number, rows: number): number {
    if (size !== this.size || rows !== this.rows) this.remember(size, rows);
    return this.lastCols;
  }

  // Out of `cols`, which stays small enough for V8 to inline.
  private remember(size: number, rows: number): void {
    this.size = size;
    this.rows = rows;
    this.lastCols = size / rows;
  }
}
