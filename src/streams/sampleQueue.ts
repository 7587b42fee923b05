import { GradstreamError, describeValue } from '../core/errors.js';
import { InvalidSample, type InvalidPolicy } from './deadLetters.js';
import type { Batch } from './stepRecord.js';

/**
 * One training example that arrives from outside: inputs `x` and targets `y` (a class label is one
 * target). A single number stands for a one-value row.
 */
export interface Sample {
  readonly x: ArrayLike<number> | number;
  readonly y: ArrayLike<number> | number;
}

/** What an asynchronous source may deliver: one {@link Sample}, or a ready-made {@link Batch} (split into its rows). */
export type SampleOrBatch = Sample | Batch;

/** What to do with a sample that arrives while the buffer is full. */
export type OverflowPolicy = 'error' | 'dropOldest' | 'dropNewest';

/** Options of {@link createSampleQueue}. */
export interface SampleQueueOptions {
  /** Most samples held (the bound of the buffer). */
  readonly capacity: number;
  /** Rows of a full batch (≤ capacity). */
  readonly batchSize: number;
  readonly overflow: OverflowPolicy;
  /** Inputs per sample; by default the width of the first sample. */
  readonly inputs?: number;
  /** Targets per sample; by default the width of the first sample. */
  readonly outputs?: number;
  /** Prefix of error paths, e.g. `fromObservable`. */
  readonly where: string;
  /** How to avoid an overflow error (for its message); by default about `buffer.size` and `overflow`. */
  readonly overflowHint?: string;
  /** An invalid sample: `'error'` (default) throws, `'skip'` leaves it out; both report it first. */
  readonly invalid?: InvalidPolicy;
  /** Called with each invalid sample (or {@link InvalidSample}'s content) and its error. */
  readonly onReject?: (sample: unknown, error: unknown) => void;
}

/**
 * A bounded ring buffer of samples between an asynchronous source and the loop, with an overflow
 * policy, validation (widths, finite numbers) and batch buffers made once and refilled.
 */
export interface SampleQueue {
  /** Samples waiting. */
  readonly count: () => number;
  /** Samples dropped by the overflow policy so far. */
  readonly dropped: () => number;
  /** Invalid samples refused so far (a refused batch counts once). */
  readonly rejected: () => number;
  /** Arrival time of the oldest waiting sample (as given to `push`), or NaN when empty. */
  readonly headTime: () => number;
  /**
   * Validates and stores `item` (a sample, or every row of a batch) with arrival time `now`;
   * returns false when it refused it as invalid (policy `'skip'`). Throws a `GradstreamError` on
   * an invalid sample with policy `'error'` (an {@link InvalidSample}: its error), or on overflow
   * with policy `'error'`.
   */
  readonly push: (item: SampleOrBatch | InvalidSample, now: number) => boolean;
  /** Moves the `n` oldest samples (1 ≤ n ≤ min(count, batchSize)) into a reused batch and returns it. */
  readonly take: (n: number) => Batch;
}

/** Checks an option is an integer ≥ 1 (or undefined, when allowed). */
export function checkPositiveInteger(path: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new GradstreamError({ code: 'invalid_config', path, expected: 'an integer ≥ 1', received: describeValue(v) });
  }
}

/** Creates an empty queue; its buffers are allocated once the widths are known (first sample or options). */
export function createSampleQueue(options: SampleQueueOptions): SampleQueue {
  const { capacity, batchSize, overflow, where } = options;
  let inCols = options.inputs ?? -1;
  let outCols = options.outputs ?? -1;
  let xs = new Float64Array(0);
  let ys = new Float64Array(0);
  const times = new Float64Array(capacity);
  let head = 0;
  let count = 0;
  let dropped = 0;
  let rejected = 0;
  let received = 0; // samples seen, for error messages
  let full: Batch | null = null;
  const partials: (Batch | undefined)[] = [];
  let bx = new Float64Array(0);
  let by = new Float64Array(0);

  const allocate = (): void => {
    xs = new Float64Array(capacity * inCols);
    ys = new Float64Array(capacity * outCols);
    bx = new Float64Array(batchSize * inCols);
    by = new Float64Array(batchSize * outCols);
    full = { x: bx, y: by, size: batchSize };
  };
  if (inCols > 0 && outCols > 0) allocate();

  /** A free slot for one more sample (applying the overflow policy), or -1 to drop the newest. */
  const slot = (now: number): number => {
    if (count === capacity) {
      if (overflow === 'dropNewest') {
        dropped += 1;
        return -1;
      }
      if (overflow === 'dropOldest') {
        head = (head + 1) % capacity;
        count -= 1;
        dropped += 1;
      } else {
        throw new GradstreamError({
          code: 'invalid_state',
          path: `${where}.buffer`,
          expected: `at most ${capacity} samples waiting (${options.overflowHint ?? "raise buffer.size, or choose overflow 'dropOldest' or 'dropNewest'"})`,
          received: `sample ${received - 1} while ${capacity} were waiting`,
        });
      }
    }
    const s = (head + count) % capacity;
    times[s] = now;
    count += 1;
    return s;
  };

  /** The first sample fixes the widths (and the buffers); every sample must have them and finite values. */
  const checkRows = (x: ArrayLike<number> | number, y: ArrayLike<number> | number, wx: number, wy: number, index: number): void => {
    if (inCols < 0 || outCols < 0) {
      inCols = wx;
      outCols = wy;
      allocate();
    }
    if (wx !== inCols) throwWidth(`${where} sample ${index}, x`, inCols, wx);
    if (wy !== outCols) throwWidth(`${where} sample ${index}, y`, outCols, wy);
    checkValues(x, `${where} sample ${index}, x`);
    checkValues(y, `${where} sample ${index}, y`);
  };

  const pushSample = (sample: Sample, now: number): void => {
    const index = received;
    received += 1;
    if (typeof sample !== 'object' || sample === null) {
      throw new GradstreamError({
        code: 'invalid_dataset',
        path: `${where} sample ${index}`,
        expected: 'a sample { x, y } or a batch { x, y, size }',
        received: describeValue(sample),
      });
    }
    checkRows(sample.x, sample.y, width(sample.x, `${where} sample ${index}, x`), width(sample.y, `${where} sample ${index}, y`), index);
    const s = slot(now);
    if (s < 0) return;
    write(xs, s * inCols, sample.x);
    write(ys, s * outCols, sample.y);
  };

  const pushBatch = (batch: Batch, now: number): void => {
    const index = received;
    const n = batch.size;
    if (!Number.isInteger(n) || n < 1 || batch.x.length % n !== 0 || batch.y.length % n !== 0) {
      received += 1;
      throw new GradstreamError({
        code: 'invalid_dataset',
        path: `${where} sample ${index}`,
        expected: 'a batch whose x and y hold `size` rows each',
        received: `size ${describeValue(n)}, ${batch.x.length} inputs, ${batch.y.length} targets`,
      });
    }
    checkRows(batch.x, batch.y, batch.x.length / n, batch.y.length / n, index);
    for (let r = 0; r < n; r++) {
      received += 1;
      const s = slot(now);
      if (s < 0) continue;
      copy(xs, s * inCols, batch.x, r * inCols, inCols);
      copy(ys, s * outCols, batch.y, r * outCols, outCols);
    }
  };

  const reject = (sample: unknown, error: unknown): false => {
    rejected += 1;
    options.onReject?.(sample, error);
    if (options.invalid !== 'skip') throw error;
    return false;
  };

  return {
    count: () => count,
    dropped: () => dropped,
    rejected: () => rejected,
    headTime: () => (count === 0 ? Number.NaN : times[head]!),
    push(item, now) {
      if (item instanceof InvalidSample) {
        received += 1;
        return reject(item.sample, item.error);
      }
      const before = received;
      try {
        if (
          typeof item === 'object' &&
          item !== null &&
          typeof (item as Batch).size === 'number' &&
          (item as Batch).x instanceof Float64Array
        )
          pushBatch(item as Batch, now);
        else pushSample(item as Sample, now);
      } catch (e: unknown) {
        // a bad sample is refused before anything is stored; an overflow is not the sample's fault
        if (e instanceof GradstreamError && e.code === 'invalid_dataset') {
          if (received === before) received += 1; // a refused batch counts as one arrival
          return reject(item, e);
        }
        throw e;
      }
      return true;
    },
    take(n) {
      let b: Batch;
      if (n === batchSize) b = full!;
      else b = partials[n] ??= { x: bx.subarray(0, n * inCols), y: by.subarray(0, n * outCols), size: n };
      for (let k = 0; k < n; k++) {
        const s = (head + k) % capacity;
        copy(bx, k * inCols, xs, s * inCols, inCols);
        copy(by, k * outCols, ys, s * outCols, outCols);
      }
      head = (head + n) % capacity;
      count -= n;
      return b;
    },
  };
}

function width(v: ArrayLike<number> | number, path: string): number {
  if (typeof v === 'number') return 1;
  if (typeof v !== 'object' || v === null || typeof v.length !== 'number' || v.length < 1) {
    throw new GradstreamError({
      code: 'invalid_dataset',
      path,
      expected: 'a number or a non-empty list of numbers',
      received: describeValue(v),
    });
  }
  return v.length;
}

function checkValues(v: ArrayLike<number> | number, path: string): void {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throwValue(path, v);
    return;
  }
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    if (typeof e !== 'number' || !Number.isFinite(e)) throwValue(`${path}[${i}]`, e);
  }
}

function throwValue(path: string, v: unknown): never {
  throw new GradstreamError({ code: 'invalid_dataset', path, expected: 'a finite number', received: describeValue(v) });
}

function throwWidth(path: string, expected: number, received: number): never {
  throw new GradstreamError({ code: 'invalid_dataset', path, expected: `${expected} values`, received: String(received) });
}

function write(out: Float64Array, o: number, v: ArrayLike<number> | number): void {
  if (typeof v === 'number') out[o] = v;
  else for (let i = 0; i < v.length; i++) out[o + i] = v[i]!;
}

function copy(out: Float64Array, o: number, src: ArrayLike<number>, s: number, n: number): void {
  for (let i = 0; i < n; i++) out[o + i] = src[s + i]!;
}
