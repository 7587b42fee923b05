import { GradstreamError } from '../core/errors.js';
import type { BatchSource } from './batchSource.js';
import { forEachBatchOfEpoch } from './forEachBatchOfEpoch.js';
import type { ArraysPart } from './splitArrays.js';

/**
 * Reads one epoch of any source — a file part, an async iterable — into memory: the rows until
 * the first batch marked `epochEnd`, the start of the next epoch, or the end of the data. For a
 * validation set streamed from a file (`validation()` needs in-memory data), or to fit a scaler.
 * Waits on asynchronous sources; rejects with their errors, or when more than `maxRows` rows come.
 *
 * @example
 * import { fromCsv } from 'gradstream/node';
 * import { fromArrays, readAll } from 'gradstream';
 * const part = await readAll(fromCsv('data.csv', { targets: ['y'], split: { validation: 0.2, seed: 1, part: 'validation' } }));
 * const val = fromArrays(part.x, part.y, { rows: part.rows, batchSize: 256 });
 */
export async function readAll(source: BatchSource, options: { readonly maxRows?: number } = {}): Promise<ArraysPart> {
  const maxRows = options.maxRows ?? Infinity;
  let x: Float64Array = new Float64Array(1024);
  let y: Float64Array = new Float64Array(1024);
  let xn = 0;
  let yn = 0;
  let rows = 0;
  const append = (buf: Float64Array, n: number, add: Readonly<Float64Array>): Float64Array => {
    if (n + add.length > buf.length) {
      const grown = new Float64Array(Math.max(buf.length * 2, n + add.length));
      grown.set(buf.subarray(0, n));
      buf = grown;
    }
    buf.set(add, n);
    return buf;
  };
  await forEachBatchOfEpoch(source, (b) => {
    rows += b.size;
    if (rows > maxRows)
      throw new GradstreamError({
        code: 'invalid_dataset',
        path: 'readAll',
        expected: `at most ${maxRows} rows (maxRows)`,
        received: `more`,
      });
    x = append(x, xn, b.x);
    xn += b.x.length;
    y = append(y, yn, b.y);
    yn += b.y.length;
  });
  if (rows === 0) throw new GradstreamError({ code: 'invalid_dataset', path: 'readAll', expected: 'at least one row', received: 'none' });
  return { x: x.slice(0, xn), y: y.slice(0, yn), rows };
}
