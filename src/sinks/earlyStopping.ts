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
  const restoreBest = o.restoreBest ?? false;
  const rules: StopRules = {
    lossBelow: o.lossBelow,
    threshold: o.threshold,
    patience: o.patience,
    lossAbove: o.lossAbove,
    maxEpochs: o.maxEpochs,
    timeout: o.timeout,
    minDelta: o.minDelta ?? 0,
    startFrom: o.startFrom ?? 0,
    min: (o.mode ?? 'min') === 'min',
    restoreBest,
    monitor: monitorReader(o.monitor ?? 'loss', 'earlyStopping.monitor'),
    clock: o.clock ?? (() => performance.now()),
    tracks: o.patience !== undefined || restoreBest,
  };
  const operator: MonoTypeOperatorFunction<R> = (source) =>
    new Observable<R>((subscriber) => {
      const watch = new StopWatch(rules);
      return source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          const reason = watch.check(r);
          if (reason === undefined && r.stopReason === undefined) {
            subscriber.next(r);
            return;
          }
          if (reason !== undefined) r.stopReason = reason;
          watch.finish(r as R & WithBest);
          subscriber.next(r);
          if (reason !== undefined) subscriber.complete();
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
  return operator as RecordOperator<R>;
}

/** The checked options of one {@link earlyStopping}. */
interface StopRules {
  readonly lossBelow: number | undefined;
  readonly threshold: number | undefined;
  readonly patience: number | undefined;
  readonly lossAbove: number | undefined;
  readonly maxEpochs: number | undefined;
  readonly timeout: number | undefined;
  readonly minDelta: number;
  readonly startFrom: number;
  readonly min: boolean;
  readonly restoreBest: boolean;
  readonly monitor: (r: object) => number | undefined;
  readonly clock: () => number;
  /** Whether the best monitored value is tracked (for `patience` or `restoreBest`). */
  readonly tracks: boolean;
}

/** One subscription's watch: its start time, the best value so far (its step and weights), the steps since. */
class StopWatch {
  private readonly start: number;
  private best = Number.NaN;
  private bestStep = -1;
  private wait = 0;
  private bestParams: Float64Array | null = null;

  constructor(private readonly o: StopRules) {
    this.start = o.timeout === undefined ? 0 : o.clock();
  }

  /** Tracks `r`'s monitored value; returns why the run stops at `r` (undefined: it goes on, or it already stopped). */
  check(r: StepRecord): StopReason | undefined {
    const o = this.o;
    const value = o.tracks || o.threshold !== undefined ? o.monitor(r) : undefined;
    const stale = o.tracks && value !== undefined && !Number.isNaN(value) && r.step >= o.startFrom && this.track(r, value);
    if (r.stopReason !== undefined) return undefined;
    const l = r.loss;
    if (l !== undefined && (!Number.isFinite(l) || (o.lossAbove !== undefined && l > o.lossAbove))) return 'diverged';
    if (o.maxEpochs !== undefined && r.epoch >= o.maxEpochs) return 'maxEpochs';
    if (o.timeout !== undefined && o.clock() - this.start >= o.timeout) return 'timeout';
    if (o.lossBelow !== undefined && l !== undefined && l < o.lossBelow) return 'threshold';
    if (o.threshold !== undefined && value !== undefined && (o.min ? value < o.threshold : value > o.threshold)) return 'threshold';
    return stale ? 'plateau' : undefined;
  }

  /** On the final record: with `restoreBest`, names the best step and puts its weights back. */
  finish(r: StepRecord & WithBest): void {
    if (!this.o.restoreBest || this.bestStep < 0) return;
    r.bestStep = this.bestStep;
    r.bestValue = this.best;
    r.restoredBest = this.bestStep !== r.step && this.bestParams !== null;
    if (r.restoredBest) r.params.data.set(this.bestParams!);
  }

  /** Records a new best (and its weights with `restoreBest`); returns whether `patience` steps passed without one. */
  private track(r: StepRecord, value: number): boolean {
    const o = this.o;
    if (this.bestStep < 0 || (o.min ? value < this.best - o.minDelta : value > this.best + o.minDelta)) {
      this.best = value;
      this.bestStep = r.step;
      this.wait = 0;
      if (o.restoreBest) {
        this.bestParams ??= new Float64Array(r.params.data.length);
        this.bestParams.set(r.params.data);
      }
      return false;
    }
    return o.patience !== undefined && ++this.wait >= o.patience;
  }
}
