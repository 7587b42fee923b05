import { Observable } from 'rxjs';
import { HistoryOptions, parseOptions } from '../schemas/sinkOptions.js';
import type { StepRecord, StopReason } from '../streams/stepRecord.js';
import { untilUnsubscribed } from '../ops/untilUnsubscribed.js';
import type { RecordOperator } from './recordOperator.js';

/** The curves {@link history} collects: one entry per recorded step, as plain arrays (for plots). */
export interface History {
  readonly step: number[];
  readonly epoch: number[];
  readonly loss: number[];
  /** `NaN` where a step had no validation loss. */
  readonly valLoss: number[];
  readonly lr: number[];
  /** One array per metric name, aligned with `step` (`NaN` where a step did not have it). */
  readonly metrics: Record<string, number[]>;
  /** Why the run stopped, once it has. */
  stopReason: StopReason | undefined;
}

/**
 * The operator {@link history} returns (records pass through, their type kept), with the curves
 * of its latest subscription.
 */
export interface HistoryOperator<R extends StepRecord = StepRecord> extends RecordOperator<R> {
  /** The curves of the latest run (a fresh `History` per subscription). */
  readonly history: History;
}

function emptyHistory(): History {
  return { step: [], epoch: [], loss: [], valLoss: [], lr: [], metrics: {}, stopReason: undefined };
}

/**
 * Collects the loss curve, the validation loss, the learning rate and the metrics of a run as
 * plain arrays (Keras' `History`): `op.history.loss[i]` is the loss of step `op.history.step[i]`.
 * Records the steps that are multiples of `every` (default 1) and always the final one; sets
 * `stopReason` when the run ends — also when this sink sits before `earlyStopping`.
 *
 * Passes every record through; completes and errors with its source.
 *
 * @example
 * import { history } from 'gradstream';
 * const h = history();
 * // train({ …, pipeline: pipe(step, h) }) … then plot h.history.step against h.history.loss
 */
export function history<R extends StepRecord = StepRecord>(options: HistoryOptions = {}): HistoryOperator<R> {
  const every = parseOptions(HistoryOptions, options, 'history').every ?? 1;
  let current = emptyHistory();
  const operator = (source: Observable<R>): Observable<R> =>
    new Observable<R>((subscriber) => {
      const h = emptyHistory();
      current = h;
      let last: R | undefined;
      let lastStep = Number.NaN;
      const add = (r: R): void => {
        const extra = r as { valLoss?: unknown; metrics?: Readonly<Record<string, number>> };
        const n = h.step.length;
        if (r.step === lastStep) {
          h.stopReason = r.stopReason; // the same step again, now final
          return;
        }
        lastStep = r.step;
        h.step.push(r.step);
        h.epoch.push(r.epoch);
        h.loss.push(r.loss ?? Number.NaN);
        h.valLoss.push(typeof extra.valLoss === 'number' ? extra.valLoss : Number.NaN);
        h.lr.push(r.lr);
        if (extra.metrics !== undefined) {
          for (const name in extra.metrics) {
            let a = h.metrics[name];
            if (a === undefined) a = h.metrics[name] = new Array<number>(n).fill(Number.NaN);
            a.push(extra.metrics[name]!);
          }
        }
        for (const name in h.metrics) if (h.metrics[name]!.length === n) h.metrics[name]!.push(Number.NaN);
        if (r.stopReason !== undefined) h.stopReason = r.stopReason;
      };
      const sub = source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          last = r;
          if (r.step % every === 0 || r.stopReason !== undefined) add(r);
          subscriber.next(r);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
      return () => {
        sub.unsubscribe();
        if (last !== undefined && last.stopReason !== undefined && h.stopReason === undefined) add(last);
      };
    });
  return Object.defineProperty(operator as RecordOperator<R>, 'history', { get: () => current, enumerable: true }) as HistoryOperator<R>;
}
