import { GradstreamError, describeValue } from '../core/errors.js';
import { MAX_BUFFERED_VALUES } from '../schemas/limits.js';
import { createRng, type Rng } from '../core/rng.js';
import { NOT_READY, type BatchReader, type BatchSource, type DataCursor, type NotReady } from '../streams/batchSource.js';
import { createReadySignal, type ReadySignal, type ReadyState } from '../streams/readySignal.js';
import type { Batch } from '../streams/stepRecord.js';
import { RowCache } from './rowCache.js';

/** A seeded split of a file's rows into a training and a validation part (see {@link FileSourceOptions.split}). */
export interface FileSplit {
  /** The fraction of rows held out for validation, in (0, 1). */
  readonly validation: number;
  /** Which rows are held out: row `r` goes to validation when a hash of `(seed, r)` falls below `validation`. */
  readonly seed: number;
  /** The part this source reads. */
  readonly part: 'train' | 'validation';
}

/** Options every file source shares (`fromCsv`, `fromJsonl`). */
export interface FileSourceOptions {
  /** Rows per batch (default 32); the last batch of an epoch may be smaller. */
  readonly batchSize?: number;
  /** Passes over the file (default `Infinity`); after the last one the loop stops with `'dataEnd'`. */
  readonly epochs?: number;
  /** Shuffle the rows of each epoch through a seeded buffer of `shuffleBuffer` rows (default false). Needs `seed`. */
  readonly shuffle?: boolean;
  /** Seed of the shuffles: epoch `e`'s order depends on `(seed, e)` only. */
  readonly seed?: number;
  /**
   * Rows held by the shuffle buffer (default 10,000; memory `shuffleBuffer × columns × 8` bytes).
   * A row leaves the buffer for a random slot's row; a buffer as large as the file is a full shuffle.
   */
  readonly shuffleBuffer?: number;
  /** Read only one part of a seeded split (the same `validation` and `seed` in both sources give disjoint parts). */
  readonly split?: FileSplit;
  /**
   * The most memory, in bytes, that the decoded rows may take to be kept after the first pass
   * (rows × columns × 8; default {@link DEFAULT_CACHE_BYTES}, 256 MiB). When they fit, the epochs
   * after the first replay them from memory and do not read the file again — the same batches, bit
   * for bit, shuffled or not. Larger files are read again each epoch; `0` always reads the file.
   */
  readonly cacheBytes?: number;
}

/** The default of {@link FileSourceOptions.cacheBytes}: 256 MiB of decoded rows. */
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

/** What {@link RowStream.read} returns at the end of the file. */
export const END_OF_FILE: unique symbol = Symbol('gradstream.endOfFile');

/** One pass over a file's data records, pulled synchronously while they are buffered. */
export interface RowStream<Raw> {
  /** The next record if one is buffered, `null` if none yet, {@link END_OF_FILE} at the end. Throws a read or parse error. */
  read(): Raw | null | typeof END_OF_FILE;
  /** Resolves when `read()` may return something other than `null`. */
  wait(): Promise<void>;
  /** Closes the file. */
  close(): void;
  /** The row number of the record last read, as messages show it (the line in the file). */
  line(): number;
}

/** A file format for {@link fileSource}: passes over the raw records, and their decoding. */
export interface RowFormat<Raw> {
  /** The file, as the user named it (for messages). */
  readonly file: string;
  readonly inputs: number;
  readonly outputs: number;
  /** Opens one pass over the file's data records. */
  rows(): RowStream<Raw>;
  /** Writes the record's inputs then its targets at `out[o…]`; throws a `GradstreamError` naming `row` and the column. */
  decode(raw: Raw, row: number, out: Float64Array, o: number): void;
  /**
   * Sees a record of the other part of a split (not decoded): a label column registers its class
   * there, so both parts number the classes in the order of the whole file.
   */
  skipped?(raw: Raw): void;
}

/** Validated options of a file source. */
interface Settings {
  readonly batchSize: number;
  readonly epochs: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly shuffleBuffer: number;
  readonly split: FileSplit | undefined;
  readonly cacheBytes: number;
  /** The prefix of error paths (`fromCsv`). */
  readonly where: string;
}

/** Checks the options every file source shares; `where` prefixes the error paths (`fromCsv`). */
export function fileSettings(options: FileSourceOptions, where: string): Settings {
  const batchSize = options.batchSize ?? 32;
  const int = (name: string, v: unknown, min: number): void => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${where}.${name}`,
        expected: `an integer ≥ ${min}`,
        received: describeValue(v),
      });
    }
  };
  int('batchSize', batchSize, 1);
  const epochs = options.epochs ?? Infinity;
  if (epochs !== Infinity) int('epochs', epochs, 1);
  const shuffle = options.shuffle ?? false;
  if (typeof shuffle !== 'boolean')
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${where}.shuffle`,
      expected: 'a boolean',
      received: describeValue(shuffle),
    });
  const shuffleBuffer = options.shuffleBuffer ?? 10_000;
  int('shuffleBuffer', shuffleBuffer, 1);
  const seed = seedOf(options.seed, shuffle, where);
  const split = options.split;
  if (split !== undefined) checkSplit(split, where);
  const cacheBytes = options.cacheBytes ?? DEFAULT_CACHE_BYTES;
  if (typeof cacheBytes !== 'number' || !Number.isSafeInteger(cacheBytes) || cacheBytes < 0) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${where}.cacheBytes`,
      expected: 'an integer ≥ 0 (bytes)',
      received: describeValue(cacheBytes),
    });
  }
  return { batchSize, epochs, shuffle, seed, shuffleBuffer, split, cacheBytes, where };
}

/** The seed option (0 without one); a shuffle needs one. */
function seedOf(seed: number | undefined, shuffle: boolean, where: string): number {
  if (seed !== undefined) {
    if (!Number.isSafeInteger(seed))
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${where}.seed`,
        expected: 'a safe integer',
        received: describeValue(seed),
      });
    return seed;
  }
  if (shuffle) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${where}.shuffle`,
      expected: 'a seed to shuffle with',
      received: 'no seed',
    });
  }
  return 0;
}

/** Checks a split's fraction, seed and part. */
function checkSplit(split: FileSplit, where: string): void {
  if (typeof split.validation !== 'number' || !(split.validation > 0 && split.validation < 1)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${where}.split.validation`,
      expected: 'a fraction in (0, 1)',
      received: describeValue(split.validation),
    });
  }
  if (!Number.isSafeInteger(split.seed))
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${where}.split.seed`,
      expected: 'a safe integer',
      received: describeValue(split.seed),
    });
  if (split.part !== 'train' && split.part !== 'validation') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${where}.split.part`,
      expected: "'train' or 'validation'",
      received: describeValue(split.part),
    });
  }
}

/** Whether data row `row` (0-based) of the file is held out for validation by `split`. */
export function isHeldOut(split: FileSplit, row: number): boolean {
  return hash32(split.seed, row) / 0x100000000 < split.validation;
}

/** A 32-bit hash of (seed, n) (murmur3's finalizer over both). */
function hash32(seed: number, n: number): number {
  let h = (seed ^ Math.floor(seed / 0x100000000)) >>> 0;
  h = Math.imul(h ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (n >>> 0) ^ (h >>> 15), 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ Math.floor(n / 0x100000000) ^ (h >>> 13), 0x27d4eb2f) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Mini-batches streamed from a file, one pass per epoch: rows are decoded into preallocated
 * buffers (a seeded shuffle buffer, a small ring of rows ready for the loop, the batch), read only
 * as the loop consumes them. The reader is asynchronous: `next()` returns `NOT_READY` while the
 * file is being read. `cursor().epochEnd` is true on the last batch of each epoch; `open(cursor)`
 * resumes exactly (the rows before it are read again and skipped). When the rows fit in
 * `cacheBytes`, the first pass keeps them and later epochs replay them from memory (synchronously).
 */
export function fileSource<Raw>(format: RowFormat<Raw>, settings: Settings): BatchSource {
  checkBuffers(settings, format.inputs + format.outputs);
  return {
    open(at?: DataCursor): BatchReader {
      return new FileReader(format, settings, at);
    },
  };
}

/** Refuses a cursor whose epoch or batchIndex is not an integer ≥ 0. */
function checkCursor(at: DataCursor | undefined): void {
  const epoch = at?.epoch ?? 0;
  const batchIndex = at?.batchIndex ?? 0;
  if (!(Number.isInteger(epoch) && epoch >= 0 && Number.isInteger(batchIndex) && batchIndex >= 0)) {
    throw new GradstreamError({
      code: 'invalid_state',
      path: 'cursor',
      expected: 'an epoch ≥ 0 and a batchIndex ≥ 0',
      received: JSON.stringify(at),
    });
  }
}

/**
 * One run's reader of a {@link fileSource}. Rows flow from the file (or the cache) through the
 * shuffle buffer `pool` into the `ring` of rows ready for the loop, and from there into the batch
 * `bx`/`by`; every buffer is made here, so reading allocates nothing per row or batch.
 */
class FileReader<Raw> implements BatchReader {
  private readonly batchSize: number;
  private readonly epochs: number;
  private readonly shuffle: boolean;
  private readonly seed: number;
  private readonly split: FileSplit | undefined;
  private readonly inputs: number;
  private readonly width: number;
  /** The cursor the run resumes at (for messages). */
  private readonly at: DataCursor | undefined;
  private epoch: number;
  /** Rows to pass over when resuming. */
  private skip: number;
  private readonly position: { epoch: number; batchIndex: number; epochEnd: boolean };

  /** The shuffle buffer: `poolSize` rows, the first `poolCount` of them held. */
  private readonly poolSize: number;
  private readonly pool: Float64Array;
  private poolCount = 0;
  /** The rows ready for the loop: `count` rows from row `head`, in a ring of `outCap` rows. */
  private readonly outCap: number;
  private readonly ring: Float64Array;
  private head = 0;
  private count = 0;
  /** The batch handed to the loop, and its views for the smaller last batches (made once). */
  private readonly bx: Float64Array;
  private readonly by: Float64Array;
  private readonly full: Batch;
  private readonly partials: (Batch | undefined)[] = [];

  /** The pass being read; `null` between epochs and once released. */
  private it: RowStream<Raw> | null = null;
  /**
   * The decoded rows of this source's part, kept by the first pass while they fit in
   * `cacheBytes`; once that pass has ended (`cache.complete`), later epochs replay them.
   */
  private readonly cache: RowCache | null;
  private replay = false;
  /** The next cached row to replay. */
  private replayAt = 0;
  /** A replayed shuffled epoch's rows, in the order drawn. */
  private order: Int32Array | undefined;
  /** The rows not drawn yet, while drawing `order`. */
  private left: Int32Array | undefined;
  private fileEnded = false;
  /** Data rows of the file seen this pass (both parts of a split). */
  private rowsRead = 0;
  /** Rows of this source's part this pass. */
  private rowsKept = 0;
  private rng: Rng = createRng(0);
  private pulling = false;
  private closed = false;
  private epochDone = false;
  private failure: unknown;
  private failed = false;
  private readonly signal: ReadySignal;
  readonly whenReady: () => Promise<void>;

  constructor(
    private readonly format: RowFormat<Raw>,
    settings: Settings,
    at: DataCursor | undefined,
  ) {
    checkCursor(at);
    const { batchSize, epochs, shuffle, shuffleBuffer, cacheBytes } = settings;
    const inputs = format.inputs;
    const width = inputs + format.outputs;
    this.batchSize = batchSize;
    this.epochs = epochs;
    this.shuffle = shuffle;
    this.seed = settings.seed;
    this.split = settings.split;
    this.inputs = inputs;
    this.width = width;
    this.at = at;
    this.epoch = at?.epoch ?? 0;
    this.skip = (at?.batchIndex ?? 0) * batchSize;
    this.position = { epoch: this.epoch, batchIndex: (at?.batchIndex ?? 0) - 1, epochEnd: false };
    this.poolSize = shuffle ? shuffleBuffer : 0;
    this.pool = new Float64Array(this.poolSize * width);
    this.outCap = 2 * batchSize + 1;
    this.ring = new Float64Array(this.outCap * width);
    this.bx = new Float64Array(batchSize * inputs);
    this.by = new Float64Array(batchSize * (width - inputs));
    this.full = { x: this.bx, y: this.by, size: batchSize };
    const cached = epochs - this.epoch > 1 && cacheBytes >= width * 8;
    this.cache = cached ? new RowCache(inputs, width - inputs, cacheBytes) : null;
    this.signal = createReadySignal(
      () => this.state(),
      () => this.failure,
    );
    this.whenReady = this.signal.wait;
  }

  next(): Batch | null | NotReady {
    if (this.failed || this.closed) return NOT_READY;
    if (this.it === null && !this.startNextEpoch()) return null;
    // rows in memory, in file order: the batches are views of them
    if (this.replay && !this.shuffle) return this.replayBatch();
    // rows in memory, all in the shuffle buffer: the epoch's order drawn at once
    if (this.replay && this.cache!.rows <= this.poolSize) return this.replayShuffled();
    return this.streamedBatch();
  }

  cursor(): DataCursor {
    return this.position;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
  }

  /** Opens the pass of the epoch after the one done (or the resumed one); false after the last epoch. */
  private startNextEpoch(): boolean {
    if (this.epochDone) {
      this.epoch += 1;
      this.epochDone = false;
      this.position.batchIndex = -1; // the new epoch's first batch is batch 0
    }
    if (this.epoch >= this.epochs) return false;
    this.startEpoch();
    // rows in memory: fill the ring now, so the epoch's first batch is ready at once
    if (this.replay) this.demand();
    return true;
  }

  private startEpoch(): void {
    this.replay = this.cache?.complete === true;
    this.replayAt = 0;
    this.it = this.replay ? (REPLAY as RowStream<Raw>) : this.format.rows();
    this.fileEnded = false;
    this.rowsRead = 0;
    this.rowsKept = 0;
    this.poolCount = 0;
    this.rng = createRng(epochSeed(this.seed, this.epoch));
  }

  /** The next batch from the ring (rows read from the file, or replayed through the shuffle buffer). */
  private streamedBatch(): Batch | NotReady {
    this.drainPool();
    this.discard();
    this.drainPool();
    if (this.skip > 0 && this.fileEnded && this.poolCount === 0) {
      this.fail(
        new GradstreamError({
          code: 'invalid_state',
          path: 'cursor',
          expected: `a batchIndex inside epoch ${this.epoch} of ${this.format.file}`,
          received: JSON.stringify(this.at),
        }),
      );
      return NOT_READY;
    }
    const out = this.skip === 0 ? this.takeReady() : NOT_READY;
    if (out !== NOT_READY) {
      this.drainPool();
      this.advance(this.count === 0 && !this.more());
    }
    this.demand();
    return out;
  }

  /**
   * A batch from the ring if one is known complete. A ring of exactly one batch is the epoch's
   * last one only if no row follows: while the file has not ended (and no shuffled rows wait in
   * the pool) that is not known yet, so wait for the next row or the end (taking it then left the
   * epoch's end unmarked and the reader returning NOT_READY while ready, for ever).
   */
  private takeReady(): Batch | NotReady {
    const { count, batchSize } = this;
    if (count > batchSize || (count === batchSize && (this.fileEnded || this.poolCount > 0))) return this.take(batchSize);
    if (this.fileEnded && this.poolCount === 0 && count > 0) return this.take(count);
    return NOT_READY;
  }

  /** Moves the cursor past the batch just returned; `epochEnd` when it was the epoch's last. */
  private advance(epochEnd: boolean): void {
    const position = this.position;
    position.epoch = this.epoch;
    position.batchIndex += 1;
    position.epochEnd = epochEnd;
    if (epochEnd) {
      this.epochDone = true;
      this.it = null;
    }
  }

  private fail(e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.failure = e;
    this.release();
  }

  private release(): void {
    const i = this.it;
    this.it = null;
    i?.close();
  }

  private state(): ReadyState {
    if (this.failed) return 'failed';
    if (this.fileEnded) return 'ready';
    const { count, batchSize } = this;
    return count > batchSize || (count === batchSize && this.poolCount > 0 && this.skip === 0) ? 'ready' : 'wait';
  }

  /** Rows of this epoch still to come after the ring's. */
  private more(): boolean {
    return !this.fileEnded || this.poolCount > 0;
  }

  /** Whether rows should be read now: the pass is open and the ring has room. */
  private wantsRows(): boolean {
    return !this.closed && !this.failed && this.it !== null && !this.fileEnded && this.count < this.outCap;
  }

  private demand(): void {
    if (this.replay) {
      if (this.shuffle && this.cache!.rows > this.poolSize && this.wantsRows()) this.replayRows();
      return;
    }
    if (!this.pulling && this.wantsRows()) void this.pump();
  }

  /** Reads file records into the ring (through the shuffle buffer) until it is full or the file waits. */
  private async pump(): Promise<void> {
    this.pulling = true;
    try {
      while (this.wantsRows()) {
        const source = this.it!;
        const raw = source.read();
        if (raw === null) {
          if (this.count >= this.batchSize) this.signal.notify();
          await source.wait();
          if (this.closed || this.failed || this.it !== source) break;
          continue;
        }
        if (raw === END_OF_FILE) {
          this.endOfFile();
          break;
        }
        this.accept(raw, source);
      }
    } catch (e: unknown) {
      this.fail(e);
    }
    this.pulling = false;
    this.signal.notify();
  }

  private endOfFile(): void {
    this.fileEnded = true;
    this.cache?.end();
    if (this.rowsKept === 0) {
      const split = this.split;
      throw new GradstreamError({
        code: 'invalid_dataset',
        path: this.format.file,
        expected: split === undefined ? 'at least one data row' : `at least one row in the ${split.part} part of the split`,
        received: 'none',
      });
    }
  }

  /** Takes one file record: skipped when of the split's other part, else decoded into the ring or the shuffle buffer. */
  private accept(raw: Raw, source: RowStream<Raw>): void {
    const row = this.rowsRead;
    this.rowsRead += 1;
    const split = this.split;
    if (split !== undefined && isHeldOut(split, row) !== (split.part === 'validation')) {
      this.format.skipped?.(raw);
      return;
    }
    this.rowsKept += 1;
    if (!this.shuffle) {
      this.put(raw, source.line(), this.ring, this.slot());
    } else if (this.poolCount < this.poolSize) {
      this.put(raw, source.line(), this.pool, this.poolCount * this.width);
      this.poolCount += 1;
    } else {
      const j = this.rng.int(this.poolSize);
      this.movePool(j, this.slot());
      this.put(raw, source.line(), this.pool, j * this.width);
    }
  }

  /** Decodes a file record at `out[o…]`, and keeps it while the rows fit. */
  private put(raw: Raw, line: number, out: Float64Array, o: number): void {
    this.format.decode(raw, line, out, o);
    this.cache?.add(out, o);
  }

  /**
   * {@link pump} from memory: the cached rows, in file order, through the same shuffle steps
   * (so the same batches), synchronously.
   */
  private replayRows(): void {
    const c = this.cache!;
    const rows = c.rows;
    const width = this.width;
    while (!this.closed && !this.failed && this.count < this.outCap && this.replayAt < rows) {
      const from = this.replayAt;
      this.replayAt += 1;
      if (!this.shuffle) {
        c.copyRow(from, this.ring, this.slot());
      } else if (this.poolCount < this.poolSize) {
        c.copyRow(from, this.pool, this.poolCount * width);
        this.poolCount += 1;
      } else {
        const j = this.rng.int(this.poolSize);
        this.movePool(j, this.slot());
        c.copyRow(from, this.pool, j * width);
      }
    }
    if (this.replayAt === rows) this.fileEnded = true;
    this.signal.notify();
  }

  /** The offset of a new row at the ring's end. */
  private slot(): number {
    const s = (this.head + this.count) % this.outCap;
    this.count += 1;
    return s * this.width;
  }

  /** Copies row `j` of the shuffle buffer to `ring[to…]`. */
  private movePool(j: number, to: number): void {
    const { width, ring, pool } = this;
    const from = j * width;
    for (let k = 0; k < width; k++) ring[to + k] = pool[from + k]!;
  }

  /** Moves random rows of the shuffle buffer to the ring once the file has ended. */
  private drainPool(): void {
    const width = this.width;
    while (this.fileEnded && this.poolCount > 0 && this.count < this.outCap) {
      const j = this.rng.int(this.poolCount);
      this.movePool(j, this.slot());
      this.poolCount -= 1;
      const last = this.poolCount;
      if (j !== last) this.pool.copyWithin(j * width, last * width, (last + 1) * width);
    }
  }

  /** Drops the ring's rows that come before the resumed cursor. */
  private discard(): void {
    while (this.skip > 0 && this.count > 0) {
      this.head = (this.head + 1) % this.outCap;
      this.count -= 1;
      this.skip -= 1;
    }
  }

  /** The batch object of `n` rows (the full one, or a view made once per size). */
  private batchOf(n: number): Batch {
    if (n === this.batchSize) return this.full;
    const outs = this.width - this.inputs;
    return (this.partials[n] ??= { x: this.bx.subarray(0, n * this.inputs), y: this.by.subarray(0, n * outs), size: n });
  }

  /** Copies the ring's first `n` rows into the batch. */
  private take(n: number): Batch {
    const { inputs, width, ring, bx, by } = this;
    const b = this.batchOf(n);
    let o = this.head * width;
    let xi = 0;
    let yi = 0;
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < inputs; k++) bx[xi++] = ring[o + k]!;
      for (let k = inputs; k < width; k++) by[yi++] = ring[o + k]!;
      o += width;
      if (o === ring.length) o = 0;
    }
    this.head = (this.head + n) % this.outCap;
    this.count -= n;
    return b;
  }

  /**
   * The next batch of a shuffled epoch replayed from memory whose rows all fit in the shuffle
   * buffer: the buffer would take them all, then give them back in the order of `rng`'s draws
   * (a draw `j` among the `m` rows left takes row `j` and moves the last one into its place);
   * that order is drawn here at the epoch's start, and the rows are copied once, into the batch.
   */
  private replayShuffled(): Batch {
    const c = this.cache!;
    const rows = c.rows;
    if (this.position.batchIndex === -1) this.drawOrder(rows);
    const from = (this.position.batchIndex + 1) * this.batchSize;
    const n = Math.min(this.batchSize, rows - from);
    const b = this.batchOf(n);
    c.copyBatch(this.order!, from, n, this.bx, this.by);
    this.advance(from + n === rows);
    return b;
  }

  /** Draws a replayed epoch's order of its `rows` rows, as the shuffle buffer would give them back. */
  private drawOrder(rows: number): void {
    const order = (this.order ??= new Int32Array(rows));
    const left = (this.left ??= new Int32Array(rows));
    for (let r = 0; r < rows; r++) left[r] = r;
    for (let m = rows, k = 0; m > 0; m--, k++) {
      const j = this.rng.int(m);
      order[k] = left[j]!;
      left[j] = left[m - 1]!;
    }
  }

  /** The next batch of an unshuffled epoch replayed from memory. */
  private replayBatch(): Batch {
    const views = this.cache!.batches(this.batchSize);
    this.advance(this.position.batchIndex + 1 === views.length - 1);
    return views[this.position.batchIndex]!;
  }
}

/** The stream of an epoch replayed from memory: its rows are copied by the reader itself. */
const REPLAY: RowStream<never> = Object.freeze({
  read: () => END_OF_FILE,
  wait: () => Promise.resolve(),
  close() {},
  line: () => 0,
});

/** Refuses buffers of more than {@link MAX_BUFFERED_VALUES} numbers (the batch ring: 3 batches; the shuffle buffer). */
function checkBuffers(settings: Settings, width: number): void {
  const { batchSize, shuffle, shuffleBuffer, where } = settings;
  if ((3 * batchSize + 1) * width > MAX_BUFFERED_VALUES) {
    const most = Math.max(1, Math.floor((MAX_BUFFERED_VALUES / width - 1) / 3));
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${where}.batchSize`,
      expected: `at most ${most.toLocaleString('en-US')} rows of ${width} columns (${MAX_BUFFERED_VALUES.toLocaleString('en-US')} buffered numbers)`,
      received: String(batchSize),
    });
  }
  if (shuffle && shuffleBuffer * width > MAX_BUFFERED_VALUES) {
    const most = Math.max(1, Math.floor(MAX_BUFFERED_VALUES / width));
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${where}.shuffleBuffer`,
      expected: `at most ${most.toLocaleString('en-US')} rows of ${width} columns (${MAX_BUFFERED_VALUES.toLocaleString('en-US')} buffered numbers)`,
      received: String(shuffleBuffer),
    });
  }
}

/** The shuffle generator's seed of one epoch: independent across epochs, a function of `(seed, epoch)`. */
function epochSeed(seed: number, epoch: number): number {
  return hash32(seed ^ 0x5bd1e995, epoch);
}
