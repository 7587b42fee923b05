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
  return new SampleRing(options);
}

/**
 * The queue: a ring of `capacity` rows (`xs`, `ys`, arrival `times`) from `head`, `waiting` long.
 * Its members are bound functions, as the interface allows callers to pass them on.
 */
class SampleRing implements SampleQueue {
  private readonly capacity: number;
  private readonly batchSize: number;
  private inCols: number;
  private outCols: number;
  private xs = new Float64Array(0);
  private ys = new Float64Array(0);
  private readonly times: Float64Array;
  private head = 0;
  private waiting = 0;
  private droppedCount = 0;
  private rejectedCount = 0;
  /** Samples seen, for error messages. */
  private received = 0;
  private full: Batch | null = null;
  private readonly partials: (Batch | undefined)[] = [];
  private bx = new Float64Array(0);
  private by = new Float64Array(0);

  constructor(private readonly options: SampleQueueOptions) {
    this.capacity = options.capacity;
    this.batchSize = options.batchSize;
    this.inCols = options.inputs ?? -1;
    this.outCols = options.outputs ?? -1;
    this.times = new Float64Array(this.capacity);
    if (this.inCols > 0 && this.outCols > 0) this.allocate();
  }

  readonly count = (): number => this.waiting;
  readonly dropped = (): number => this.droppedCount;
  readonly rejected = (): number => this.rejectedCount;
  readonly headTime = (): number => (this.waiting === 0 ? Number.NaN : this.times[this.head]!);

  readonly push = (item: SampleOrBatch | InvalidSample, now: number): boolean => {
    if (item instanceof InvalidSample) {
      this.received += 1;
      return this.reject(item.sample, item.error);
    }
    const before = this.received;
    try {
      if (
        typeof item === 'object' &&
        item !== null &&
        typeof (item as Batch).size === 'number' &&
        (item as Batch).x instanceof Float64Array
      )
        this.pushBatch(item as Batch, now);
      else this.pushSample(item as Sample, now);
    } catch (e: unknown) {
      // a bad sample is refused before anything is stored; an overflow is not the sample's fault
      if (e instanceof GradstreamError && e.code === 'invalid_dataset') {
        if (this.received === before) this.received += 1; // a refused batch counts as one arrival
        return this.reject(item, e);
      }
      throw e;
    }
    return true;
  };

  readonly take = (n: number): Batch => {
    const { capacity, inCols, outCols, bx, by, xs, ys } = this;
    let b: Batch;
    if (n === this.batchSize) b = this.full!;
    else b = this.partials[n] ??= { x: bx.subarray(0, n * inCols), y: by.subarray(0, n * outCols), size: n };
    for (let k = 0; k < n; k++) {
      const s = (this.head + k) % capacity;
      copy(bx, k * inCols, xs, s * inCols, inCols);
      copy(by, k * outCols, ys, s * outCols, outCols);
    }
    this.head = (this.head + n) % capacity;
    this.waiting -= n;
    return b;
  };

  private allocate(): void {
    this.xs = new Float64Array(this.capacity * this.inCols);
    this.ys = new Float64Array(this.capacity * this.outCols);
    this.bx = new Float64Array(this.batchSize * this.inCols);
    this.by = new Float64Array(this.batchSize * this.outCols);
    this.full = { x: this.bx, y: this.by, size: this.batchSize };
  }

  /** A free slot for one more sample (applying the overflow policy), or -1 to drop the newest. */
  private slot(now: number): number {
    const { capacity } = this;
    if (this.waiting === capacity) {
      if (this.options.overflow === 'dropNewest') {
        this.droppedCount += 1;
        return -1;
      }
      if (this.options.overflow !== 'dropOldest') throw this.overflowError();
      this.head = (this.head + 1) % capacity;
      this.waiting -= 1;
      this.droppedCount += 1;
    }
    const s = (this.head + this.waiting) % capacity;
    this.times[s] = now;
    this.waiting += 1;
    return s;
  }

  private overflowError(): GradstreamError {
    const { capacity, options } = this;
    return new GradstreamError({
      code: 'invalid_state',
      path: `${options.where}.buffer`,
      expected: `at most ${capacity} samples waiting (${options.overflowHint ?? "raise buffer.size, or choose overflow 'dropOldest' or 'dropNewest'"})`,
      received: `sample ${this.received - 1} while ${capacity} were waiting`,
    });
  }

  /** The first sample fixes the widths (and the buffers); every sample must have them and finite values. */
  private checkRows(x: ArrayLike<number> | number, y: ArrayLike<number> | number, wx: number, wy: number, index: number): void {
    const { where } = this.options;
    if (this.inCols < 0 || this.outCols < 0) {
      this.inCols = wx;
      this.outCols = wy;
      this.allocate();
    }
    if (wx !== this.inCols) throwWidth(`${where} sample ${index}, x`, this.inCols, wx);
    if (wy !== this.outCols) throwWidth(`${where} sample ${index}, y`, this.outCols, wy);
    checkValues(x, `${where} sample ${index}, x`);
    checkValues(y, `${where} sample ${index}, y`);
  }

  private pushSample(sample: Sample, now: number): void {
    const { where } = this.options;
    const index = this.received;
    this.received += 1;
    if (typeof sample !== 'object' || sample === null) {
      throw new GradstreamError({
        code: 'invalid_dataset',
        path: `${where} sample ${index}`,
        expected: 'a sample { x, y } or a batch { x, y, size }',
        received: describeValue(sample),
      });
    }
    this.checkRows(
      sample.x,
      sample.y,
      width(sample.x, `${where} sample ${index}, x`),
      width(sample.y, `${where} sample ${index}, y`),
      index,
    );
    const s = this.slot(now);
    if (s < 0) return;
    write(this.xs, s * this.inCols, sample.x);
    write(this.ys, s * this.outCols, sample.y);
  }

  private pushBatch(batch: Batch, now: number): void {
    const index = this.received;
    const n = batch.size;
    if (!Number.isInteger(n) || n < 1 || batch.x.length % n !== 0 || batch.y.length % n !== 0) {
      this.received += 1;
      throw new GradstreamError({
        code: 'invalid_dataset',
        path: `${this.options.where} sample ${index}`,
        expected: 'a batch whose x and y hold `size` rows each',
        received: `size ${describeValue(n)}, ${batch.x.length} inputs, ${batch.y.length} targets`,
      });
    }
    this.checkRows(batch.x, batch.y, batch.x.length / n, batch.y.length / n, index);
    for (let r = 0; r < n; r++) {
      this.received += 1;
      const s = this.slot(now);
      if (s < 0) continue;
      copy(this.xs, s * this.inCols, batch.x, r * this.inCols, this.inCols);
      copy(this.ys, s * this.outCols, batch.y, r * this.outCols, this.outCols);
    }
  }

  private reject(sample: unknown, error: unknown): false {
    this.rejectedCount += 1;
    this.options.onReject?.(sample, error);
    if (this.options.invalid !== 'skip') throw error;
    return false;
  }
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
