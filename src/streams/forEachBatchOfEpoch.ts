import { NOT_READY, type BatchSource, type DataCursor } from './batchSource.js';
import type { Batch } from './stepRecord.js';

/**
 * Reads one epoch of any source outside a training run — the batches until the one marked
 * `epochEnd`, the start of the next epoch, or the end of the data — calling `onBatch` with each
 * batch and its cursor (both valid during the call only). Waits on asynchronous sources; rejects
 * with their errors or `onBatch`'s; closes the reader in every case.
 */
export async function forEachBatchOfEpoch(source: BatchSource, onBatch: (batch: Batch, cursor: DataCursor) => void): Promise<void> {
  const reader = source.open();
  let epoch: number | undefined;
  try {
    for (;;) {
      const b = reader.next();
      if (b === NOT_READY) {
        await reader.whenReady!();
        continue;
      }
      if (b === null) return;
      const c = reader.cursor();
      if (epoch === undefined) epoch = c.epoch;
      else if (c.epoch !== epoch) return;
      onBatch(b, c);
      if (c.epochEnd === true) return;
    }
  } finally {
    reader.close?.();
  }
}
