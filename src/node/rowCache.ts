import type { Batch } from '../streams/stepRecord.js';

/**
 * The decoded rows of one pass over a file, kept while they fit in `maxBytes` (inputs and targets
 * apart, row major, 8 bytes a number): what a file source replays instead of reading the file
 * again. Grows by doubling up to the limit; past it, it drops its rows and keeps nothing.
 */
export class RowCache {
  private x: Float64Array;
  private y: Float64Array;
  private count = 0;
  private dropped = false;
  private ended = false;
  private readonly maxRows: number;
  private views: Batch[] | null = null;

  constructor(
    private readonly inputs: number,
    private readonly outputs: number,
    maxBytes: number,
  ) {
    this.maxRows = Math.floor(maxBytes / ((inputs + outputs) * 8));
    const start = Math.min(1024, this.maxRows);
    this.x = new Float64Array(start * inputs);
    this.y = new Float64Array(start * outputs);
  }

  /** Whether the whole pass is kept: rows to replay. */
  get complete(): boolean {
    return this.ended && !this.dropped && this.count > 0;
  }

  /** Rows kept. */
  get rows(): number {
    return this.count;
  }

  /** Keeps the row at `src[o…]` (inputs, then targets), unless the pass has ended or outgrew the limit. */
  add(src: Readonly<Float64Array>, o: number): void {
    if (this.dropped || this.ended) return;
    const { inputs, outputs } = this;
    if (this.count * inputs + inputs > this.x.length || this.count * outputs + outputs > this.y.length) {
      const rows = Math.min(2 * Math.max(1, this.count), this.maxRows);
      if (rows <= this.count) {
        this.drop();
        return;
      }
      const x = new Float64Array(rows * inputs);
      const y = new Float64Array(rows * outputs);
      x.set(this.x);
      y.set(this.y);
      this.x = x;
      this.y = y;
    }
    const xi = this.count * inputs;
    const yi = this.count * outputs;
    for (let k = 0; k < inputs; k++) this.x[xi + k] = src[o + k]!;
    for (let k = 0; k < outputs; k++) this.y[yi + k] = src[o + inputs + k]!;
    this.count += 1;
  }

  /** Marks the pass read to its end: from now on the rows are complete (if kept). */
  end(): void {
    this.ended = true;
  }

  /** Writes row `r` (inputs, then targets) at `out[o…]`. */
  copyRow(r: number, out: Float64Array, o: number): void {
    const { inputs, outputs } = this;
    const xi = r * inputs;
    const yi = r * outputs;
    for (let k = 0; k < inputs; k++) out[o + k] = this.x[xi + k]!;
    for (let k = 0; k < outputs; k++) out[o + inputs + k] = this.y[yi + k]!;
  }

  /** Writes rows `order[from…from + n)` into a batch's `x` and `y`, row major. */
  copyBatch(order: Readonly<Int32Array>, from: number, n: number, x: Float64Array, y: Float64Array): void {
    const { inputs, outputs } = this;
    for (let r = 0; r < n; r++) {
      const row = order[from + r]!;
      const xi = row * inputs;
      const yi = row * outputs;
      for (let k = 0; k < inputs; k++) x[r * inputs + k] = this.x[xi + k]!;
      for (let k = 0; k < outputs; k++) y[r * outputs + k] = this.y[yi + k]!;
    }
  }

  /** The batches of an epoch in file order, as views of the rows (made once, reused every epoch). */
  batches(batchSize: number): readonly Batch[] {
    if (this.views !== null) return this.views;
    const views: Batch[] = [];
    for (let r = 0; r < this.count; r += batchSize) {
      const size = Math.min(batchSize, this.count - r);
      views.push({
        x: this.x.subarray(r * this.inputs, (r + size) * this.inputs),
        y: this.y.subarray(r * this.outputs, (r + size) * this.outputs),
        size,
      });
    }
    this.views = views;
    return views;
  }

  private drop(): void {
    this.dropped = true;
    this.count = 0;
    this.x = new Float64Array(0);
    this.y = new Float64Array(0);
  }
}
