import { GradstreamError, describeValue } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import type { DataCursor, SyncBatchReader, SyncBatchSource } from './batchSource.js';
import type { Batch } from './stepRecord.js';
import { checkOptions } from './checkOptions.js';
import { RowStore } from './rowStore.js';
import { rowCount, type MatrixInput } from './toMatrix.js';

/** Options of {@link fromArrays}. */
export interface FromArraysOptions {
  /** Rows per batch (default 32, as Keras; at most the number of rows). */
  readonly batchSize?: number;
  /** Passes over the data (default `Infinity`); after the last one the loop stops with `'dataEnd'`. */
  readonly epochs?: number;
  /** Reshuffle the rows every epoch (default false). Needs `seed` or `rng`. */
  readonly shuffle?: boolean;
  /** Seed of the shuffles: epoch `e`'s order is a function of `(seed, e)` only. */
  readonly seed?: number;
  /** Alternatively, a generator: one number is drawn from it, now, as the seed. */
  readonly rng?: Rng;
  /** Drop the last batch of an epoch when it is partial (default false: it is a smaller batch). */
  readonly dropRemainder?: boolean;
  /** The number of rows, needed when `x` and `y` are both flat lists. */
  readonly rows?: number;
}

/**
 * Mini-batches from in-memory arrays: `x` holds the inputs (`rows × inputs`) and `y` the targets
 * (`rows × outputs`, or one class label per row), as nested rows or flat row-major lists. Each
 * epoch walks the rows in order — or in a fresh permutation when `shuffle` is on — in batches of
 * `batchSize` rows; the last batch of an epoch may be smaller.
 *
 * Deterministic and resumable: epoch `e`'s permutation is derived from the seed and `e` alone, so
 * `open({ epoch, batchIndex })` (a resumed run) reproduces exactly the batches of an uninterrupted
 * one. The data is copied once: at once, except a large `Float64Array` (256 Ki values or more),
 * whose rows are checked and copied the first time a batch reads them, so that no step copies
 * more than its batch and training starts without a pause (do not change such an array before
 * its first epoch has been read). Batch buffers are made once per `open` and refilled every step
 * (a batch is valid until the next one is read). The reader returns `null` after `epochs` epochs.
 *
 * Errors with a `GradstreamError` (`invalid_dataset`, `invalid_config`) on ragged or non-finite
 * data, mismatched row counts or bad options; for a large `Float64Array`, a non-finite value is
 * reported by the read of its batch.
 *
 * @example
 * import { fromArrays } from 'gradstream';
 * const data = fromArrays([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]], { batchSize: 2, epochs: 100, shuffle: true, seed: 7 });
 */
export function fromArrays(x: MatrixInput, y: MatrixInput, opts?: FromArraysOptions): SyncBatchSource {
  const options = checkOptions('fromArrays', opts);
  const rows = rowCount(x, y, options.rows, 'fromArrays');
  const X = new RowStore(x, rows, 'x');
  const Y = new RowStore(y, rows, 'y');
  const xs = X.data;
  const ys = Y.data;
  const inCols = X.cols;
  const outCols = Y.cols;
  const batchSize = Math.min(options.batchSize ?? 32, rows);
  const epochs = options.epochs ?? Infinity;
  const shuffle = options.shuffle ?? false;
  const dropRemainder = options.dropRemainder ?? false;
  if (!(Number.isInteger(options.batchSize ?? 32) && (options.batchSize ?? 32) >= 1)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fromArrays.batchSize',
      expected: 'an integer ≥ 1',
      received: String(options.batchSize),
    });
  }
  if (!(epochs === Infinity || (Number.isInteger(epochs) && epochs >= 1))) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'fromArrays.epochs',
      expected: 'an integer ≥ 1 or Infinity',
      received: String(epochs),
    });
  }
  let seed = 0;
  if (shuffle) {
    if (options.seed !== undefined) {
      if (!Number.isSafeInteger(options.seed)) {
        throw new GradstreamError({
          code: 'invalid_config',
          path: 'fromArrays.seed',
          expected: 'a safe integer',
          received: String(options.seed),
        });
      }
      seed = options.seed;
    } else if (options.rng !== undefined) {
      if (typeof (options.rng as Partial<Rng> | null)?.nextUint32 !== 'function') {
        throw new GradstreamError({
          code: 'invalid_config',
          path: 'fromArrays.rng',
          expected: 'a generator made by createRng',
          received: describeValue(options.rng),
        });
      }
      seed = options.rng.nextUint32();
    } else {
      throw new GradstreamError({
        code: 'invalid_config',
        path: 'fromArrays.shuffle',
        expected: 'a seed or an rng to shuffle with',
        received: 'neither',
      });
    }
  }
  const full = Math.floor(rows / batchSize);
  const rest = rows - full * batchSize;
  const perEpoch = full + (rest > 0 && !dropRemainder ? 1 : 0);

  return {
    open(at?: DataCursor): SyncBatchReader {
      let epoch = 0;
      let index = 0;
      if (at !== undefined) {
        if (
          !(
            Number.isInteger(at.epoch) &&
            at.epoch >= 0 &&
            Number.isInteger(at.batchIndex) &&
            at.batchIndex >= 0 &&
            at.batchIndex < perEpoch
          )
        ) {
          throw new GradstreamError({
            code: 'invalid_state',
            path: 'cursor',
            expected: `an epoch ≥ 0 and a batchIndex in [0, ${perEpoch})`,
            received: JSON.stringify(at),
          });
        }
        epoch = at.epoch;
        index = at.batchIndex;
      }
      let lastEpoch = epoch;
      let lastIndex = index - 1;
      const order = shuffle ? new Uint32Array(rows) : null;
      let orderEpoch = -1;
      // Preallocated buffers: a full batch, and views of them for the partial one.
      const bx = new Float64Array(batchSize * inCols);
      const by = new Float64Array(batchSize * outCols);
      const fullBatch: Batch = { x: bx, y: by, size: batchSize };
      const partial: Batch = { x: bx.subarray(0, rest * inCols), y: by.subarray(0, rest * outCols), size: rest };
      // Without shuffling, batches are views of the data: made once here.
      const views: Batch[] = [];
      const cursor = { epoch: 0, batchIndex: 0, epochEnd: false };
      if (!shuffle) {
        for (let b = 0; b < perEpoch; b++) {
          const size = Math.min(batchSize, rows - b * batchSize);
          const r0 = b * batchSize;
          views.push({ x: xs.subarray(r0 * inCols, (r0 + size) * inCols), y: ys.subarray(r0 * outCols, (r0 + size) * outCols), size });
        }
      }
      return {
        next() {
          if (index >= perEpoch) {
            epoch += 1;
            index = 0;
          }
          if (epoch >= epochs) return null;
          lastEpoch = epoch;
          lastIndex = index;
          const b = index;
          index += 1;
          if (order === null) {
            const view = views[b]!;
            const r0 = b * batchSize;
            X.rows(r0, r0 + view.size);
            Y.rows(r0, r0 + view.size);
            return view;
          }
          if (orderEpoch !== epoch) {
            permutation(order, seed, epoch);
            orderEpoch = epoch;
          }
          const r0 = b * batchSize;
          const size = Math.min(batchSize, rows - r0);
          for (let k = 0; k < size; k++) {
            const src = order[r0 + k]!;
            X.row(src);
            Y.row(src);
            copyRow(bx, k * inCols, xs, src * inCols, inCols);
            copyRow(by, k * outCols, ys, src * outCols, outCols);
          }
          return size === batchSize ? fullBatch : partial;
        },
        cursor: () => {
          cursor.epoch = lastEpoch;
          cursor.batchIndex = lastIndex;
          cursor.epochEnd = lastIndex === perEpoch - 1;
          return cursor;
        },
      };
    },
  };
}

/** Fills `order` with the permutation of epoch `epoch` for `seed` (Fisher–Yates on 0…n−1). */
function permutation(order: Uint32Array, seed: number, epoch: number): void {
  for (let i = 0; i < order.length; i++) order[i] = i;
  const rng = createRng(mix(seed, epoch));
  rng.shuffle(order);
}

/** A 32-bit hash of (seed, epoch), so each epoch's generator is independent of the others. */
function mix(seed: number, epoch: number): number {
  let h = (seed ^ Math.floor(seed / 0x100000000)) >>> 0;
  h = Math.imul(h ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (epoch >>> 0) ^ (h >>> 15), 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ Math.floor(epoch / 0x100000000) ^ (h >>> 13), 0x27d4eb2f) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** `out[o … o+n) = src[s … s+n)` without making a view (no allocation). */
function copyRow(out: Float64Array, o: number, src: Readonly<Float64Array>, s: number, n: number): void {
  for (let i = 0; i < n; i++) out[o + i] = src[s + i]!;
}
