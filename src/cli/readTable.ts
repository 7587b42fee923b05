import { NOT_READY, type BatchSource } from '../streams/batchSource.js';
import type { Table } from './prepareRun.js';

/**
 * Reads every batch of a (finite) source into one table: one pass, waiting while an asynchronous
 * source (a file) is not ready. For validation sets and final metrics, not for training.
 */
export async function readTable(source: BatchSource, inputs: number, targets: number): Promise<Table> {
  const reader = source.open();
  let capacity = 1024;
  let x: Float64Array = new Float64Array(capacity * inputs);
  let y: Float64Array = new Float64Array(capacity * targets);
  let rows = 0;
  try {
    for (;;) {
      const b = reader.next();
      if (b === NOT_READY) {
        await reader.whenReady!();
        continue;
      }
      if (b === null) break;
      if (rows + b.size > capacity) {
        capacity = Math.max(capacity * 2, rows + b.size);
        const grow = (a: Float64Array, cols: number): Float64Array => {
          const out = new Float64Array(capacity * cols);
          out.set(a);
          return out;
        };
        x = grow(x, inputs);
        y = grow(y, targets);
      }
      x.set(b.x.subarray(0, b.size * inputs), rows * inputs);
      y.set(b.y.subarray(0, b.size * targets), rows * targets);
      rows += b.size;
    }
  } finally {
    reader.close?.();
  }
  return { x: x.slice(0, rows * inputs), y: y.slice(0, rows * targets), rows, inputs, targets };
}
