import type { Batch } from './stepRecord.js';

/** Where the data stands: enough to resume a data stream exactly. */
export interface DataCursor {
  readonly epoch: number;
  readonly batchIndex: number;
}

/** Reads batches for one training run (one subscription). */
export interface BatchReader {
  /** The batch for the next step, or `null` when the data is exhausted. */
  next(): Batch | null;
  /**
   * The position of the batch last returned by `next`. Readers may return the same object every
   * time (no allocation per step): read it before the next `next()`, copy it to keep it.
   */
  cursor(): DataCursor;
}

/**
 * A source of mini-batches; `open` is called once per training run. With `at` (a resumed run),
 * the first `next()` returns the batch at that cursor.
 */
export interface BatchSource {
  open(at?: DataCursor): BatchReader;
}
