/** A minimal asynchronous loop over a BatchReader (the driver's contract), for reader tests. */
import { NOT_READY, type BatchReader } from '../../src/index.js';

export interface Delivered {
  readonly x: number[];
  readonly y: number[];
  readonly at: number;
  readonly batchIndex: number;
  readonly epoch: number;
  readonly epochEnd: boolean;
}

/**
 * Reads `reader` until it returns null (or `limit` batches), waiting on `whenReady` when it is not
 * ready, copying each batch. `onBatch` may return a promise (a slow step). Rejects as the reader does.
 */
export async function driveReader(
  reader: BatchReader,
  options: { limit?: number; clock?: () => number; onBatch?: (d: Delivered) => unknown } = {},
): Promise<Delivered[]> {
  const out: Delivered[] = [];
  const clock = options.clock ?? (() => Date.now());
  const limit = options.limit ?? Infinity;
  try {
    while (out.length < limit) {
      const b = reader.next();
      if (b === NOT_READY) {
        await reader.whenReady!();
        continue;
      }
      if (b === null) break;
      const c = reader.cursor();
      const d: Delivered = {
        x: Array.from(b.x),
        y: Array.from(b.y),
        at: clock(),
        batchIndex: c.batchIndex,
        epoch: c.epoch,
        epochEnd: c.epochEnd === true,
      };
      out.push(d);
      await options.onBatch?.(d);
    }
  } finally {
    reader.close?.();
  }
  return out;
}
