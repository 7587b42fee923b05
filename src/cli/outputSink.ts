import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { untilUnsubscribed } from '../ops/untilUnsubscribed.js';
import type { StepRecord } from '../streams/stepRecord.js';
import type { LossHistory } from './lossHistory.js';

/**
 * The command's own sink, last in the pipeline: records every loss in `history` (the summary's
 * curve), hands every `every`-th record and the final one to `write` (step lines), and the final
 * record to `onFinal`. Passes every record through; completes and errors with its source; errors
 * if `write` or `onFinal` throws.
 */
export function outputSink<R extends StepRecord>(
  every: number,
  write: ((r: R) => void) | undefined,
  history: LossHistory,
  onFinal: (r: R) => void,
): MonoTypeOperatorFunction<R> {
  return (source) =>
    new Observable<R>((subscriber) =>
      source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          try {
            history.add(r.step, r.loss ?? Number.NaN);
            if (write !== undefined && (r.step % every === 0 || r.stopReason !== undefined)) write(r);
            if (r.stopReason !== undefined) onFinal(r);
          } catch (e: unknown) {
            subscriber.error(e);
            return;
          }
          subscriber.next(r);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}
