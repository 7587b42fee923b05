import { NOT_READY, type BatchReader, type BatchSource, type DataCursor } from '../streams/batchSource.js';
import type { Batch } from '../streams/stepRecord.js';
import type { Checkpoint } from './checkpointCodec.js';

/**
 * The data source a run resumed from `checkpoint` reads: `source` itself, or — when the batch at
 * the checkpoint's cursor was already trained on (`checkpoint.batchTrained`) — `source` opened
 * at that cursor with its first batch passed over, so the resumed run reads on from the next one.
 */
export function resumeSource(source: BatchSource, checkpoint: Pick<Checkpoint, 'batchTrained'>): BatchSource {
  if (checkpoint.batchTrained !== true) return source;
  return { open: (at?: DataCursor) => new SkipFirstReader(source.open(at)) };
}

/** A reader that passes over the first batch of the reader it wraps. */
class SkipFirstReader implements BatchReader {
  private skipped = false;
  readonly whenReady: (() => Promise<void>) | undefined;
  readonly dropped: (() => number) | undefined;

  constructor(private readonly reader: BatchReader) {
    this.whenReady = reader.whenReady === undefined ? undefined : () => reader.whenReady!();
    this.dropped = reader.dropped === undefined ? undefined : () => reader.dropped!();
  }

  next(): Batch | null | typeof NOT_READY {
    if (!this.skipped) {
      const first = this.reader.next();
      if (first === null || first === NOT_READY) return first;
      this.skipped = true;
    }
    return this.reader.next();
  }

  cursor(): DataCursor {
    return this.reader.cursor();
  }

  close(): void {
    this.reader.close?.();
  }
}
