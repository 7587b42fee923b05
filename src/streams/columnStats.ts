import { GradstreamError } from '../core/errors.js';
import type { BatchSource } from './batchSource.js';
import { forEachBatchOfEpoch } from './forEachBatchOfEpoch.js';
import type { ArraysPart } from './splitArrays.js';
import { rowCount, toMatrix, type MatrixInput } from './toMatrix.js';

/** Per-column statistics of the inputs a scaler is fitted on. */
export interface ColumnStats {
  readonly rows: number;
  readonly mean: Float64Array;
  /** Population variance (as scikit-learn's `StandardScaler`). */
  readonly variance: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
}

/** Accumulates column statistics over row-major batches (Welford; flat memory). */
function accumulator(cols: number): { add(x: Readonly<Float64Array>, rows: number): void; done(): ColumnStats } {
  const mean = new Float64Array(cols);
  const m2 = new Float64Array(cols);
  const min = new Float64Array(cols).fill(Infinity);
  const max = new Float64Array(cols).fill(-Infinity);
  let n = 0;
  return {
    add(x, rows) {
      for (let r = 0; r < rows; r++) {
        n += 1;
        for (let c = 0; c < cols; c++) {
          const v = x[r * cols + c]!;
          const d = v - mean[c]!;
          mean[c] = mean[c]! + d / n;
          m2[c] = m2[c]! + d * (v - mean[c]!);
          if (v < min[c]!) min[c] = v;
          if (v > max[c]!) max[c] = v;
        }
      }
    },
    done() {
      const variance = m2.map((s) => s / n);
      return { rows: n, mean, variance, min, max };
    },
  };
}

/** Statistics of in-memory inputs (nested rows, a flat list with `rows`, or an {@link ArraysPart}). */
export function statsOf(x: MatrixInput | ArraysPart, rows: number | undefined, where: string): ColumnStats {
  let data: Float64Array;
  let n: number;
  if (!Array.isArray(x) && !(x instanceof Float64Array) && typeof (x as ArraysPart).rows === 'number') {
    const part = x as ArraysPart;
    n = part.rows;
    data = toMatrix(part.x, n, `${where}.fit(x)`).data;
  } else {
    const m = x as MatrixInput;
    n = rowCount(m, m, rows, `${where}.fit`);
    data = toMatrix(m, n, `${where}.fit(x)`).data;
  }
  const acc = accumulator(data.length / n);
  acc.add(data, n);
  return acc.done();
}

/** Statistics of the inputs of one epoch of a source (streamed: a file part trains a scaler in flat memory). */
export async function statsOfSource(source: BatchSource, where: string): Promise<ColumnStats> {
  let acc = null as ReturnType<typeof accumulator> | null; // set inside the callback
  await forEachBatchOfEpoch(source, (b) => {
    acc ??= accumulator(b.x.length / b.size);
    acc.add(b.x, b.size);
  });
  if (acc === null)
    throw new GradstreamError({ code: 'invalid_dataset', path: `${where}.fitSource`, expected: 'at least one row', received: 'none' });
  return acc.done();
}
