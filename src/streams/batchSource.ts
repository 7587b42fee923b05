import type { Batch } from './stepRecord.js';

/** Where the data stands: enough to resume a data stream exactly. */
export interface DataCursor {
  readonly epoch: number;
  readonly batchIndex: number;
  /** True when the batch last returned is the last one of its epoch (in-memory and file sources). */
  readonly epochEnd?: boolean;
}

/**
 * What {@link BatchReader.next} returns when an asynchronous source has no batch *yet*: the loop
 * driver then waits on {@link BatchReader.whenReady} without spinning and asks again.
 */
export const NOT_READY: unique symbol = Symbol('gradstream.notReady');
/** The type of {@link NOT_READY}. */
export type NotReady = typeof NOT_READY;

/** Reads batches for one training run (one subscription). */
export interface BatchReader {
  /**
   * The batch for the next step; `null` when the data is exhausted; {@link NOT_READY} when an
   * asynchronous source has nothing yet (then `whenReady` must be given).
   */
  next(): Batch | null | NotReady;
  /**
   * The position of the batch last returned by `next`. Readers may return the same object every
   * time (no allocation per step): read it before the next `next()`, copy it to keep it.
   */
  cursor(): DataCursor;
  /**
   * Resolves when `next()` may return something other than `NOT_READY` (a batch, the end, or it
   * rejects with the source's error). Called by the driver only after `next()` returned `NOT_READY`.
   */
  whenReady?(): Promise<void>;
  /** Samples the source dropped so far by its overflow policy (copied onto each record). */
  dropped?(): number;
  /** Invalid samples the source refused so far (policy `invalid: 'skip'`; copied onto each record). */
  rejected?(): number;
  /** Releases what the reader holds (file handles, subscriptions); called once when the run ends. */
  close?(): void;
}

/**
 * A source of mini-batches; `open` is called once per training run. With `at` (a resumed run),
 * the first `next()` returns the batch at that cursor.
 */
export interface BatchSource {
  open(at?: DataCursor): BatchReader;
}

/** A reader that always has its next batch at hand (in-memory data): never {@link NOT_READY}. */
export interface SyncBatchReader extends BatchReader {
  next(): Batch | null;
}

/** A source whose readers are synchronous ({@link fromArrays}, {@link fullBatch}). */
export interface SyncBatchSource extends BatchSource {
  open(at?: DataCursor): SyncBatchReader;
}
