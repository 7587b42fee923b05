import type { StepRecord } from '../streams/stepRecord.js';

/**
 * The sampling rule of `every`, `log` and `checkpoint`: a record is sampled when its step is a
 * multiple of `n`, and the final record (the one with a `stopReason`) always is.
 */
export function isSampled(r: StepRecord, n: number): boolean {
  return r.step % n === 0 || r.stopReason !== undefined;
}
