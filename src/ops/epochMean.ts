import { defer, map, type OperatorFunction } from 'rxjs';
import type { StepRecord } from '../streams/stepRecord.js';

/**
 * A record after {@link epochMean}: on the last step of an epoch (`epochEnd`), the epoch's mean
 * loss and metrics, weighted by rows; `undefined` on the steps in between.
 */
export type WithEpochMean = {
  /** The mean of `loss` over the epoch's rows (set on `epochEnd` records only). */
  epochLoss: number | undefined;
  /** The mean of each `metrics` entry over the epoch's rows (set on `epochEnd` records only). */
  epochMetrics: Record<string, number> | undefined;
};

/**
 * Epoch averages, Keras-style: sums each record's `loss` and `metrics` weighted by its batch's
 * rows, and on the record that ends an epoch (`epochEnd`) sets `epochLoss` and `epochMetrics` to
 * the means over the epoch's rows — an uneven last batch counts for its rows only. On the other
 * records both are `undefined`, so `earlyStopping({ monitor: 'epochLoss' })`, `checkpoint`'s
 * `best` and `log` see one value per epoch. Each step's loss is that of the weights at that step
 * (as in Keras, the weights move during the epoch). The sums restart with each epoch; a run
 * resumed mid-epoch averages the rows it has seen. The final record of a run that ended with its data
 * (evaluated on the last batch again) belongs to no epoch and carries neither. A full-batch source ends an epoch on every
 * step, so there `epochLoss` equals `loss`.
 *
 * Place it after `loss` (and after any `metric`). Emits every record; completes and errors with its
 * source. `epochMetrics` is a new object each epoch, safe to keep.
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { dense, earlyStopping, epochMean, forward, fromArrays, gradient, loss, metric, mse, rmse, sequential, sgd, update } from 'gradstream';
 * const model = sequential([dense(1, 1)]);
 * const l = mse();
 * const data = fromArrays([[0], [1], [2], [3], [4]], [[1], [3], [5], [7], [9]], { batchSize: 2, epochs: 50 });
 * const step = pipe(
 *   forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0.02 })),
 *   metric('rmse', rmse), epochMean(),
 *   earlyStopping({ monitor: 'epochLoss', patience: 3 }),
 * );
 * // on each epoch's last step: r.epochLoss, r.epochMetrics.rmse
 */
export function epochMean<R extends StepRecord>(): OperatorFunction<R, R & WithEpochMean> {
  return (source) =>
    defer(() => {
      let epoch = Number.NaN;
      let rows = 0;
      let lossSum = 0;
      let hasLoss = false;
      let ended = Number.NaN;
      const sums = new Map<string, number>();
      const reset = (e: number): void => {
        epoch = e;
        rows = 0;
        lossSum = 0;
        hasLoss = false;
        sums.clear();
      };
      return source.pipe(
        map((r) => {
          const rec = r as R & WithEpochMean & { metrics?: Readonly<Record<string, number>> };
          if (r.epoch === ended) {
            // the final record of a run that ended with the data: the last batch again, no new epoch
            rec.epochLoss = undefined;
            rec.epochMetrics = undefined;
            return rec;
          }
          if (r.epoch !== epoch) reset(r.epoch);
          const n = r.batch.size;
          rows += n;
          if (r.loss !== undefined) {
            lossSum += r.loss * n;
            hasLoss = true;
          }
          const m = rec.metrics;
          if (m !== undefined) for (const k in m) sums.set(k, (sums.get(k) ?? 0) + m[k]! * n);
          if (!r.epochEnd || rows === 0) {
            rec.epochLoss = undefined;
            rec.epochMetrics = undefined;
            return rec;
          }
          rec.epochLoss = hasLoss ? lossSum / rows : undefined;
          let means: Record<string, number> | undefined;
          for (const [k, v] of sums) (means ??= {})[k] = v / rows;
          rec.epochMetrics = means;
          ended = r.epoch;
          epoch = Number.NaN;
          return rec;
        }),
      );
    });
}
