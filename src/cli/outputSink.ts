import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { untilUnsubscribed } from '../ops/untilUnsubscribed.js';
import { SkippedEpochEnd, epochLineDue } from '../sinks/epochLineDue.js';
import type { StepRecord } from '../streams/stepRecord.js';
import type { LossHistory } from './lossHistory.js';

/** How step lines are written: `line` formats a record (at once: records are reused), `out` writes the text. */
export interface StepLines<R> {
  readonly line: (r: R) => string;
  readonly out: (text: string) => void;
}

/**
 * The command's own sink, last in the pipeline: records every loss in `history` (the summary's
 * curve); writes step lines (`lines`) for every `every`-th record, the final one, and the epoch
 * ends that carry an epoch mean (`epochLoss`) as `epochLineDue` picks them — and the last epoch
 * end before the final record when no line came between them, so the log ends with its last
 * epoch mean; hands the final record to `onFinal`. Passes every record through; completes and
 * errors with its source; errors if `lines` or `onFinal` throws.
 */
export function outputSink<R extends StepRecord>(
  every: number,
  lines: StepLines<R> | undefined,
  history: LossHistory,
  onFinal: (r: R) => void,
): MonoTypeOperatorFunction<R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const skipped = lines === undefined ? undefined : new SkippedEpochEnd<R>(lines.line);
      const write = (r: R): void => {
        if (lines === undefined || skipped === undefined) return;
        const due = r.step % every === 0 || r.stopReason !== undefined || epochLineDue(r, every);
        const left = skipped.before(r, due);
        if (left !== undefined) lines.out(left);
        if (due) lines.out(lines.line(r));
      };
      return source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          try {
            history.add(r.step, r.loss ?? Number.NaN);
            write(r);
            if (r.stopReason !== undefined) onFinal(r);
          } catch (e: unknown) {
            subscriber.error(e);
            return;
          }
          subscriber.next(r);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}
