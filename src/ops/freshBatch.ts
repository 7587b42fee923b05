import type { StepRecord } from '../streams/stepRecord.js';

/**
 * Tells records of a new batch from a repeat: a final record (`stopReason` set) with the same data
 * cursor as the record before — the driver re-evaluating the last batch at the end of the data —
 * is not new. Operators that score each batch once (`prequential`, `driftDetector`) keep one per
 * subscription.
 */
export class FreshBatch {
  private lastEpoch = -1;
  private lastIndex = -1;
  private lastStep = -1;

  /** Whether `r` holds a batch not seen before; remembers it. */
  isFresh(r: StepRecord): boolean {
    const fresh = r.epoch !== this.lastEpoch || r.batchIndex !== this.lastIndex || (r.stopReason === undefined && r.step !== this.lastStep);
    if (fresh) {
      this.lastEpoch = r.epoch;
      this.lastIndex = r.batchIndex;
      this.lastStep = r.step;
    }
    return fresh;
  }
}
