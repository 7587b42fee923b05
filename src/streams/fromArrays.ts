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
  const plan = planArrays(x, y, checkOptions('fromArrays', opts));
  return { open: (at?: DataCursor): SyncBatchReader => new ArraysReader(plan, at) };
}

/** What every reader of one {@link fromArrays} source shares: the data and the walk's sizes. */
interface ArraysPlan {
  readonly X: RowStore;
  readonly Y: RowStore;
  readonly rows: number;
  readonly batchSize: number;
  readonly epochs: number;
  /** The shuffles' seed, or null without shuffling. */
  readonly seed: number | null;
  /** Rows of the last, partial batch of an epoch (0 when none). */
  readonly rest: number;
  /** Batches per epoch. */
  readonly perEpoch: number;
}

/** Copies the data and checks the options, in the order their errors are reported. */
function planArrays(x: MatrixInput, y: MatrixInput, options: FromArraysOptions): ArraysPlan {
  const rows = rowCount(x, y, options.rows, 'fromArrays');
  const X = new RowStore(x, rows, 'x');
  const Y = new RowStore(y, rows, 'y');
  const batchSize = Math.min(options.batchSize ?? 32, rows);
  const epochs = options.epochs ?? Infinity;
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
  const seed = (options.shuffle ?? false) ? shuffleSeed(options) : null;
  const full = Math.floor(rows / batchSize);
  const rest = rows - full * batchSize;
  const perEpoch = full + (rest > 0 && !(options.dropRemainder ?? false) ? 1 : 0);
  return { X, Y, rows, batchSize, epochs, seed, rest, perEpoch };
}

/** The seed of the shuffles: `seed`, or one number drawn from `rng`; neither is an error. */
function shuffleSeed(options: FromArraysOptions): number {
  if (options.seed !== undefined) {
    if (!Number.isSafeInteger(options.seed)) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: 'fromArrays.seed',
        expected: 'a safe integer',
        received: String(options.seed),
      });
    }
    return options.seed;
  }
  if (options.rng !== undefined) {
    if (typeof (options.rng as Partial<Rng> | null)?.nextUint32 !== 'function') {
      throw new GradstreamError({
        code: 'invalid_config',
        path: 'fromArrays.rng',
        expected: 'a generator made by createRng',
        received: describeValue(options.rng),
      });
    }
    return options.rng.nextUint32();
  }
  throw new GradstreamError({
    code: 'invalid_config',
    path: 'fromArrays.shuffle',
    expected: 'a seed or an rng to shuffle with',
    received: 'neither',
  });
}

/** Checks a resume cursor against the batches of an epoch. */
function checkCursor(at: DataCursor, perEpoch: number): void {
  if (!(Number.isInteger(at.epoch) && at.epoch >= 0 && Number.isInteger(at.batchIndex) && at.batchIndex >= 0 && at.batchIndex < perEpoch)) {
    throw new GradstreamError({
      code: 'invalid_state',
      path: 'cursor',
      expected: `an epoch ≥ 0 and a batchIndex in [0, ${perEpoch})`,
      received: JSON.stringify(at),
    });
  }
}

/**
 * One run's reader. Without shuffling, batches are views of the data, made once here; with it,
 * rows are copied in the epoch's order into a full batch buffer (and a view of it for the partial
 * one), made once here too.
 */
class ArraysReader implements SyncBatchReader {
  private epoch = 0;
  private index = 0;
  private lastEpoch: number;
  private lastIndex: number;
  private readonly order: Uint32Array | null;
  private orderEpoch = -1;
  private readonly views: Batch[] = [];
  private readonly fullBatch: Batch;
  private readonly partial: Batch;
  private readonly at = { epoch: 0, batchIndex: 0, epochEnd: false };

  constructor(
    private readonly plan: ArraysPlan,
    at: DataCursor | undefined,
  ) {
    if (at !== undefined) {
      checkCursor(at, plan.perEpoch);
      this.epoch = at.epoch;
      this.index = at.batchIndex;
    }
    this.lastEpoch = this.epoch;
    this.lastIndex = this.index - 1;
    const { X, Y, rows, batchSize, rest } = plan;
    this.order = plan.seed === null ? null : new Uint32Array(rows);
    const bx = new Float64Array(batchSize * X.cols);
    const by = new Float64Array(batchSize * Y.cols);
    this.fullBatch = { x: bx, y: by, size: batchSize };
    this.partial = { x: bx.subarray(0, rest * X.cols), y: by.subarray(0, rest * Y.cols), size: rest };
    if (this.order === null) {
      for (let b = 0; b < plan.perEpoch; b++) {
        const size = Math.min(batchSize, rows - b * batchSize);
        const r0 = b * batchSize;
        this.views.push({
          x: X.data.subarray(r0 * X.cols, (r0 + size) * X.cols),
          y: Y.data.subarray(r0 * Y.cols, (r0 + size) * Y.cols),
          size,
        });
      }
    }
  }

  next(): Batch | null {
    if (this.index >= this.plan.perEpoch) {
      this.epoch += 1;
      this.index = 0;
    }
    if (this.epoch >= this.plan.epochs) return null;
    this.lastEpoch = this.epoch;
    this.lastIndex = this.index;
    const b = this.index;
    this.index += 1;
    if (this.order === null) {
      const view = this.views[b]!;
      const r0 = b * this.plan.batchSize;
      this.plan.X.rows(r0, r0 + view.size);
      this.plan.Y.rows(r0, r0 + view.size);
      return view;
    }
    return this.shuffled(this.order, b);
  }

  cursor(): DataCursor {
    this.at.epoch = this.lastEpoch;
    this.at.batchIndex = this.lastIndex;
    this.at.epochEnd = this.lastIndex === this.plan.perEpoch - 1;
    return this.at;
  }

  /** Batch `b` of the current epoch's permutation, copied into the batch buffers. */
  private shuffled(order: Uint32Array, b: number): Batch {
    const { X, Y, rows, batchSize } = this.plan;
    if (this.orderEpoch !== this.epoch) {
      permutation(order, this.plan.seed!, this.epoch);
      this.orderEpoch = this.epoch;
    }
    const r0 = b * batchSize;
    const size = Math.min(batchSize, rows - r0);
    const bx = this.fullBatch.x;
    const by = this.fullBatch.y;
    const xs = X.data;
    const ys = Y.data;
    const inCols = X.cols;
    const outCols = Y.cols;
    for (let k = 0; k < size; k++) {
      const src = order[r0 + k]!;
      X.row(src);
      Y.row(src);
      copyRow(bx, k * inCols, xs, src * inCols, inCols);
      copyRow(by, k * outCols, ys, src * outCols, outCols);
    }
    return size === batchSize ? this.fullBatch : this.partial;
  }
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
