import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { EarlyStoppingOptions, badOption, parseOptions } from '../schemas/sinkOptions.js';
import type { StepRecord, StopReason } from '../streams/stepRecord.js';
import { untilUnsubscribed } from '../ops/untilUnsubscribed.js';
import { monitorReader } from './monitorReader.js';
import type { RecordOperator } from './recordOperator.js';

/** What {@link earlyStopping} with `restoreBest` adds to the final record. */
export type WithBest = {
  /** True when the final record's weights were replaced by the best ones seen. */
  restoredBest?: boolean;
  /** The step whose weights were the best (by `monitor`). */
  bestStep?: number;
  /** The best monitored value. */
  bestValue?: number;
};

const CRITERIA = ['lossBelow', 'threshold', 'patience', 'lossAbove', 'maxEpochs', 'timeout'] as const;

/**
 * Ends training when a criterion says so, Keras-style. The record that triggers it gets
 * `stopReason`, is emitted, and then the stream completes — so `update` does not apply that
 * record's update and the loop driver stops. The criteria, checked on every record:
 *
 * - `'diverged'`: the loss is NaN or ±Infinity, or above `lossAbove`;
 * - `'maxEpochs'`: the record belongs to epoch `maxEpochs` (that many epochs are done);
 * - `'timeout'`: `timeout` milliseconds have passed since the subscription (`clock`, default
 *   `performance.now`; checked at step boundaries);
 * - `'threshold'`: the loss is below `lossBelow`, or the `monitor`ed value is past `threshold`
 *   (below it in `mode: 'min'`, above it in `'max'`);
 * - `'plateau'`: `patience` records (from step `startFrom` on) without the `monitor`ed value
 *   improving on the best by more than `minDelta`. Records without the value (a validation loss
 *   computed once per epoch) are skipped.
 *
 * `monitor` names any number on the record: `'loss'` (default), `'valLoss'`, `'metrics.accuracy'`.
 * With `restoreBest`, the best weights seen (by `monitor`, copied when it improves) are put back
 * into the final record — whatever ended the run, this operator or the driver (`maxSteps`, end of
 * data) — which then says so: `restoredBest: true`, `bestStep`, `bestValue` (its `loss` stays the
 * stopping step's).
 *
 * Emits every record up to and including the final one; completes then, or with its source;
 * errors with its source. Throws a `GradstreamError` at construction for a bad option or none of
 * the criteria (`earlyStopping({})`).
 *
 * @example
 * import { earlyStopping } from 'gradstream';
 * const stop = earlyStopping({ monitor: 'valLoss', patience: 5, minDelta: 1e-4, restoreBest: true, timeout: 60_000 });
 */
export function earlyStopping<R extends StepRecord = StepRecord>(options: EarlyStoppingOptions): RecordOperator<R> {
  const o = parseOptions(EarlyStoppingOptions, options, 'earlyStopping');
  if (!CRITERIA.some((k) => o[k] !== undefined)) {
    badOption('earlyStopping', `at least one criterion (${CRITERIA.join(', ')})`, 'none');
  }
  const { lossBelow, threshold, patience, lossAbove, maxEpochs, timeout } = o;
  const minDelta = o.minDelta ?? 0;
  const startFrom = o.startFrom ?? 0;
  const min = (o.mode ?? 'min') === 'min';
  const restoreBest = o.restoreBest ?? false;
  const monitor = monitorReader(o.monitor ?? 'loss', 'earlyStopping.monitor');
  const clock = o.clock ?? (() => performance.now());
  const tracks = patience !== undefined || restoreBest;
  const operator: MonoTypeOperatorFunction<R> = (source) =>
    new Observable<R>((subscriber) => {
      const start = timeout === undefined ? 0 : clock();
      let best = Number.NaN;
      let bestStep = -1;
      let wait = 0;
      let bestParams: Float64Array | null = null;

      const finish = (r: R & WithBest): void => {
        if (restoreBest && bestStep >= 0) {
          r.bestStep = bestStep;
          r.bestValue = best;
          r.restoredBest = bestStep !== r.step && bestParams !== null;
          if (r.restoredBest) r.params.data.set(bestParams!);
        }
      };

      return source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          const rec = r as R & WithBest;
          let reason: StopReason | undefined;
          const value = tracks || threshold !== undefined ? monitor(r) : undefined;
          let stale = false;
          if (tracks && value !== undefined && !Number.isNaN(value) && r.step >= startFrom) {
            if (bestStep < 0 || (min ? value < best - minDelta : value > best + minDelta)) {
              best = value;
              bestStep = r.step;
              wait = 0;
              if (restoreBest) {
                bestParams ??= new Float64Array(r.params.data.length);
                bestParams.set(r.params.data);
              }
            } else stale = patience !== undefined && ++wait >= patience;
          }
          if (r.stopReason === undefined) {
            const l = r.loss;
            if (l !== undefined && (!Number.isFinite(l) || (lossAbove !== undefined && l > lossAbove))) reason = 'diverged';
            else if (maxEpochs !== undefined && r.epoch >= maxEpochs) reason = 'maxEpochs';
            else if (timeout !== undefined && clock() - start >= timeout) reason = 'timeout';
            else if (lossBelow !== undefined && l !== undefined && l < lossBelow) reason = 'threshold';
            else if (threshold !== undefined && value !== undefined && (min ? value < threshold : value > threshold)) reason = 'threshold';
            else if (stale) reason = 'plateau';
          }
          if (reason === undefined && r.stopReason === undefined) {
            subscriber.next(r);
            return;
          }
          if (reason !== undefined) r.stopReason = reason;
          finish(rec);
          subscriber.next(r);
          if (reason !== undefined) subscriber.complete();
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
  return operator as RecordOperator<R>;
}
