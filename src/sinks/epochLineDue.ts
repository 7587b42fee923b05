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

/**
 * The last epoch end a log left out, while no line followed it, so the log can still end with its
 * last epoch mean: written before the final record's line. Its line is formatted when it is left
 * out (the loop reuses its record object).
 */
export class SkippedEpochEnd<R extends StepRecord> {
  private line: string | undefined;

  constructor(private readonly format: (r: R) => string) {}

  /**
   * Call for every record, `due` when its line is written. Returns the line to write before it
   * (the epoch end left out, when `r` is the final record), else undefined.
   */
  before(r: R, due: boolean): string | undefined {
    if (!due) {
      if (typeof (r as { epochLoss?: unknown }).epochLoss === 'number') this.line = this.format(r);
      return undefined;
    }
    const left = r.stopReason === undefined ? undefined : this.line;
    this.line = undefined;
    return left;
  }
}
