import type { BatchSource } from '../streams/batchSource.js';
import { forEachBatchOfEpoch } from '../streams/forEachBatchOfEpoch.js';

/** A data set in memory: `rows` rows of `inputs` features and `targets` target columns, row major. */
export interface Table {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly rows: number;
  readonly inputs: number;
  readonly targets: number;
}

/**
 * Reads one epoch of a source (the command's are one-epoch file sources) into one table,
 * waiting while an asynchronous source (a file) is not ready. For validation sets and final
 * metrics, not for training.
 */
export async function readTable(source: BatchSource, inputs: number, targets: number): Promise<Table> {
  let capacity = 1024;
  let x: Float64Array = new Float64Array(capacity * inputs);
  let y: Float64Array = new Float64Array(capacity * targets);
  let rows = 0;
  const grow = (a: Float64Array, cols: number): Float64Array => {
    const out = new Float64Array(capacity * cols);
    out.set(a);
    return out;
  };
  await forEachBatchOfEpoch(source, (b) => {
    if (rows + b.size > capacity) {
      capacity = Math.max(capacity * 2, rows + b.size);
      x = grow(x, inputs);
      y = grow(y, targets);
    }
    x.set(b.x.subarray(0, b.size * inputs), rows * inputs);
    y.set(b.y.subarray(0, b.size * targets), rows * targets);
    rows += b.size;
  });
  return { x: x.slice(0, rows * inputs), y: y.slice(0, rows * targets), rows, inputs, targets };
}
