import { GradstreamError, describeValue } from '../core/errors.js';
import { MAX_BUFFERED_VALUES } from '../schemas/limits.js';
import { createRng, type Rng } from '../core/rng.js';
import { NOT_READY, type BatchReader, type BatchSource, type DataCursor, type NotReady } from '../streams/batchSource.js';
import { createReadySignal, type ReadyState } from '../streams/readySignal.js';
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
  let seed = 0;
  if (options.seed !== undefined) {
    if (!Number.isSafeInteger(options.seed))
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${where}.seed`,
        expected: 'a safe integer',
        received: describeValue(options.seed),
      });
    seed = options.seed;
  } else if (shuffle) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${where}.shuffle`,
      expected: 'a seed to shuffle with',
      received: 'no seed',
    });
  }
  const split = options.split;
  if (split !== undefined) {
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
  const { batchSize, epochs, shuffle, seed, shuffleBuffer, split, cacheBytes } = settings;
  const inputs = format.inputs;
  const width = inputs + format.outputs;
  checkBuffers(settings, width);
  return {
    open(at?: DataCursor): BatchReader {
      let epoch = at?.epoch ?? 0;
      if (!(Number.isInteger(epoch) && epoch >= 0 && Number.isInteger(at?.batchIndex ?? 0) && (at?.batchIndex ?? 0) >= 0)) {
        throw new GradstreamError({
          code: 'invalid_state',
          path: 'cursor',
          expected: 'an epoch ≥ 0 and a batchIndex ≥ 0',
          received: JSON.stringify(at),
        });
      }
      let skip = (at?.batchIndex ?? 0) * batchSize; // rows to pass over when resuming
      const cursor = { epoch, batchIndex: (at?.batchIndex ?? 0) - 1, epochEnd: false };
      const poolSize = shuffle ? shuffleBuffer : 0;
      const pool = new Float64Array(poolSize * width);
      let poolCount = 0;
      const outCap = 2 * batchSize + 1;
      const ring = new Float64Array(outCap * width);
      let head = 0;
      let count = 0;
      const bx = new Float64Array(batchSize * inputs);
      const by = new Float64Array(batchSize * (width - inputs));
      const full: Batch = { x: bx, y: by, size: batchSize };
      const partials: (Batch | undefined)[] = [];

      let it: RowStream<Raw> | null = null;
      // The decoded rows of this source's part, kept by the first pass while they fit in
      // cacheBytes; once the pass has ended (`cacheRows` set), later epochs replay them.
      const cache = epochs - epoch > 1 && cacheBytes >= width * 8 ? new RowCache(inputs, width - inputs, cacheBytes) : null;
      let replay = false;
      let replayAt = 0; // the next cached row to replay
      let order: Int32Array | undefined; // a replayed shuffled epoch's rows, in the order drawn
      let left: Int32Array | undefined; // the rows not drawn yet, while drawing `order`
      let fileEnded = false;
      let rowsRead = 0; // data rows of the file seen this pass (both parts of a split)
      let rowsKept = 0; // rows of this source's part this pass
      let rng: Rng = createRng(0);
      let pulling = false;
      let closed = false;
      let epochDone = false;
      let failure: unknown;
      let failed = false;

      const fail = (e: unknown): void => {
        if (failed) return;
        failed = true;
        failure = e;
        release();
      };
      const release = (): void => {
        const i = it;
        it = null;
        i?.close();
      };
      const startEpoch = (): void => {
        replay = cache?.complete === true;
        replayAt = 0;
        it = replay ? (REPLAY as RowStream<Raw>) : format.rows();
        fileEnded = false;
        rowsRead = 0;
        rowsKept = 0;
        poolCount = 0;
        rng = createRng(epochSeed(seed, epoch));
      };
      /** Decodes a file record at `out[o…]`, and keeps it while the rows fit. */
      const put = (raw: Raw, line: number, out: Float64Array, o: number): void => {
        format.decode(raw, line, out, o);
        cache?.add(out, o);
      };
      const slot = (): number => {
        const s = (head + count) % outCap;
        count += 1;
        return s * width;
      };
      const movePool = (j: number, to: number): void => {
        const from = j * width;
        for (let k = 0; k < width; k++) ring[to + k] = pool[from + k]!;
      };
      /** Moves random rows of the shuffle buffer to the ring once the file has ended. */
      const drainPool = (): void => {
        while (fileEnded && poolCount > 0 && count < outCap) {
          const j = rng.int(poolCount);
          movePool(j, slot());
          poolCount -= 1;
          if (j !== poolCount) pool.copyWithin(j * width, poolCount * width, (poolCount + 1) * width);
        }
      };
      const take = (n: number): Batch => {
        const b =
          n === batchSize ? full : (partials[n] ??= { x: bx.subarray(0, n * inputs), y: by.subarray(0, n * (width - inputs)), size: n });
        const _outs = width - inputs;
        let o = head * width;
        let xi = 0;
        let yi = 0;
        for (let r = 0; r < n; r++) {
          for (let k = 0; k < inputs; k++) bx[xi++] = ring[o + k]!;
          for (let k = inputs; k < width; k++) by[yi++] = ring[o + k]!;
          o += width;
          if (o === ring.length) o = 0;
        }
        head = (head + n) % outCap;
        count -= n;
        return b;
      };
      const discard = (): void => {
        while (skip > 0 && count > 0) {
          head = (head + 1) % outCap;
          count -= 1;
          skip -= 1;
        }
      };

      const pump = async (): Promise<void> => {
        pulling = true;
        try {
          while (!closed && !failed && it !== null && !fileEnded && count < outCap) {
            const source = it;
            const raw = source.read();
            if (raw === null) {
              if (count >= batchSize) signal.notify();
              await source.wait();
              if (closed || failed || it !== source) break;
              continue;
            }
            if (raw === END_OF_FILE) {
              fileEnded = true;
              cache?.end();
              if (rowsKept === 0) {
                throw new GradstreamError({
                  code: 'invalid_dataset',
                  path: format.file,
                  expected: split === undefined ? 'at least one data row' : `at least one row in the ${split.part} part of the split`,
                  received: 'none',
                });
              }
              break;
            }
            const row = rowsRead;
            rowsRead += 1;
            if (split !== undefined && isHeldOut(split, row) !== (split.part === 'validation')) {
              format.skipped?.(raw);
              continue;
            }
            rowsKept += 1;
            if (!shuffle) {
              put(raw, source.line(), ring, slot());
            } else if (poolCount < poolSize) {
              put(raw, source.line(), pool, poolCount * width);
              poolCount += 1;
            } else {
              const j = rng.int(poolSize);
              const to = slot();
              movePool(j, to);
              put(raw, source.line(), pool, j * width);
            }
          }
        } catch (e: unknown) {
          fail(e);
        }
        pulling = false;
        signal.notify();
      };
      /**
       * {@link pump} from memory: the cached rows, in file order, through the same shuffle steps
       * (so the same batches), synchronously.
       */
      const replayRows = (): void => {
        const c = cache!;
        const rows = c.rows;
        while (!closed && !failed && count < outCap && replayAt < rows) {
          const from = replayAt;
          replayAt += 1;
          let out = ring;
          let o: number;
          if (!shuffle) {
            o = slot();
          } else if (poolCount < poolSize) {
            out = pool;
            o = poolCount * width;
            poolCount += 1;
          } else {
            const j = rng.int(poolSize);
            movePool(j, slot());
            out = pool;
            o = j * width;
          }
          c.copyRow(from, out, o);
        }
        if (replayAt === rows) fileEnded = true;
        signal.notify();
      };
      const demand = (): void => {
        if (replay) {
          if (shuffle && cache!.rows > poolSize && !closed && !failed && it !== null && !fileEnded && count < outCap) replayRows();
          return;
        }
        if (!pulling && !closed && !failed && it !== null && !fileEnded && count < outCap) void pump();
      };

      /** Rows of this epoch still to come after the ring's. */
      const more = (): boolean => !fileEnded || poolCount > 0;
      const state = (): ReadyState => {
        if (failed) return 'failed';
        if (fileEnded) return 'ready';
        return count > batchSize || (count === batchSize && poolCount > 0 && skip === 0) ? 'ready' : 'wait';
      };
      const signal = createReadySignal(state, () => failure);

      /**
       * The next batch of a shuffled epoch replayed from memory whose rows all fit in the shuffle
       * buffer: the buffer would take them all, then give them back in the order of `rng`'s draws
       * (a draw `j` among the `m` rows left takes row `j` and moves the last one into its place);
       * that order is drawn here at the epoch's start, and the rows are copied once, into the batch.
       */
      const replayShuffled = (): Batch => {
        const c = cache!;
        const rows = c.rows;
        if (cursor.batchIndex === -1) {
          order ??= new Int32Array(rows);
          left ??= new Int32Array(rows);
          for (let r = 0; r < rows; r++) left[r] = r;
          for (let m = rows, k = 0; m > 0; m--, k++) {
            const j = rng.int(m);
            order[k] = left[j]!;
            left[j] = left[m - 1]!;
          }
        }
        const from = (cursor.batchIndex + 1) * batchSize;
        const n = Math.min(batchSize, rows - from);
        const b =
          n === batchSize ? full : (partials[n] ??= { x: bx.subarray(0, n * inputs), y: by.subarray(0, n * (width - inputs)), size: n });
        c.copyBatch(order!, from, n, bx, by);
        cursor.epoch = epoch;
        cursor.batchIndex += 1;
        cursor.epochEnd = from + n === rows;
        if (cursor.epochEnd) {
          epochDone = true;
          it = null;
        }
        return b;
      };

      /** The next batch of an unshuffled epoch replayed from memory. */
      const replayBatch = (): Batch => {
        const views = cache!.batches(batchSize);
        cursor.epoch = epoch;
        cursor.batchIndex += 1;
        cursor.epochEnd = cursor.batchIndex === views.length - 1;
        if (cursor.epochEnd) {
          epochDone = true;
          it = null;
        }
        return views[cursor.batchIndex]!;
      };

      return {
        next(): Batch | null | NotReady {
          if (failed || closed) return NOT_READY;
          if (it === null) {
            if (epochDone) {
              epoch += 1;
              epochDone = false;
              cursor.batchIndex = -1; // the new epoch's first batch is batch 0
            }
            if (epoch >= epochs) return null;
            startEpoch();
            // rows in memory: fill the ring now, so the epoch's first batch is ready at once
            if (replay) demand();
          }
          // rows in memory, in file order: the batches are views of them
          if (replay && !shuffle) return replayBatch();
          // rows in memory, all in the shuffle buffer: the epoch's order drawn at once
          if (replay && cache!.rows <= poolSize) return replayShuffled();
          drainPool();
          discard();
          drainPool();
          if (skip > 0 && fileEnded && poolCount === 0) {
            fail(
              new GradstreamError({
                code: 'invalid_state',
                path: 'cursor',
                expected: `a batchIndex inside epoch ${epoch} of ${format.file}`,
                received: JSON.stringify(at),
              }),
            );
            return NOT_READY;
          }
          let out: Batch | NotReady = NOT_READY;
          if (skip === 0) {
            // A ring of exactly one batch is the epoch's last one only if no row follows: while the
            // file has not ended (and no shuffled rows wait in the pool) that is not known yet, so
            // wait for the next row or the end (taking it then left the epoch's end unmarked and the
            // reader returning NOT_READY while ready, for ever).
            if (count > batchSize || (count === batchSize && (fileEnded || poolCount > 0))) out = take(batchSize);
            else if (fileEnded && poolCount === 0 && count > 0) out = take(count);
          }
          if (out !== NOT_READY) {
            drainPool();
            cursor.epoch = epoch;
            cursor.batchIndex += 1;
            cursor.epochEnd = count === 0 && !more();
            if (cursor.epochEnd) {
              epochDone = true;
              it = null;
            }
          }
          demand();
          return out;
        },
        cursor: () => cursor,
        whenReady: signal.wait,
        close() {
          if (closed) return;
          closed = true;
          release();
        },
      };
    },
  };
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
