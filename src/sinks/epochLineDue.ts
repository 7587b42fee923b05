import type { StepRecord } from '../streams/stepRecord.js';

/**
 * Whether a log written every `every` steps also writes this record as an epoch end: it carries an
 * epoch mean (`epochLoss`, from `epochMean`) and its epoch is one of every k-th, k = ⌊every ÷ steps
 * per epoch⌋ (at least 1; the steps per epoch are the epoch end's `batchIndex` + 1). So the epoch
 * means are sampled about as often as the steps, a full-batch run (an epoch a step) writes no
 * extra lines, and the choice depends on the record alone: a resumed run writes the same lines.
 */
export function epochLineDue(r: StepRecord, every: number): boolean {
  if (typeof (r as { epochLoss?: unknown }).epochLoss !== 'number') return false;
  return r.epoch % Math.max(1, Math.floor(every / (r.batchIndex + 1))) === 0;
}
