import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { GradstreamError } from '../core/errors.js';
import type { StepRecord, StopReason, WithLoss } from '../streams/stepRecord.js';
import { untilUnsubscribed } from '../ops/untilUnsubscribed.js';

/** Options of {@link earlyStopping}; give at least one criterion. */
export interface EarlyStoppingOptions {
  /** Stop (`'threshold'`) on the first record whose loss is below this. */
  readonly lossBelow?: number;
  /** Stop (`'plateau'`) after this many records without an improvement of more than `minDelta`. */
  readonly patience?: number;
  /** The improvement that resets `patience` (default 0). */
  readonly minDelta?: number;
  /** Stop (`'diverged'`) on a loss above this; a NaN or infinite loss always stops as `'diverged'`. */
  readonly lossAbove?: number;
}

/**
 * Ends training when the loss says so. The record that triggers it gets `stopReason`
 * (`'threshold'`, `'plateau'` or `'diverged'`), is emitted, and then the stream completes — so
 * `update` does not apply that record's update, and the loop driver stops.
 *
 * Emits every record up to and including the final one; completes then, or with its source;
 * errors with its source.
 *
 * @example
 * import { earlyStopping } from 'gradstream';
 * const stop = earlyStopping({ lossBelow: 2.96, patience: 50, minDelta: 1e-9 });
 */
export function earlyStopping<R extends StepRecord & WithLoss>(options: EarlyStoppingOptions): MonoTypeOperatorFunction<R> {
  const { lossBelow, patience, lossAbove } = options;
  const minDelta = options.minDelta ?? 0;
  if (patience !== undefined && (!Number.isInteger(patience) || patience < 1)) {
    throw new GradstreamError({ code: 'invalid_config', path: 'earlyStopping.patience', expected: 'an integer ≥ 1', received: String(patience) });
  }
  if (!(minDelta >= 0)) {
    throw new GradstreamError({ code: 'invalid_config', path: 'earlyStopping.minDelta', expected: 'a number ≥ 0', received: String(minDelta) });
  }
  for (const [name, v] of [['lossBelow', lossBelow], ['lossAbove', lossAbove]] as const) {
    if (v !== undefined && Number.isNaN(v)) {
      throw new GradstreamError({ code: 'invalid_config', path: `earlyStopping.${name}`, expected: 'a number', received: 'NaN' });
    }
  }
  return (source) =>
    new Observable<R>((subscriber) => {
      let best = Infinity;
      let wait = 0;
      return source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          const l = r.loss;
          let reason: StopReason | undefined;
          if (!Number.isFinite(l) || (lossAbove !== undefined && l > lossAbove)) reason = 'diverged';
          else if (lossBelow !== undefined && l < lossBelow) reason = 'threshold';
          else if (patience !== undefined) {
            if (l < best - minDelta) {
              best = l;
              wait = 0;
            } else if (++wait >= patience) reason = 'plateau';
          }
          if (reason === undefined) {
            subscriber.next(r);
            return;
          }
          r.stopReason = reason;
          subscriber.next(r);
          subscriber.complete();
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}
