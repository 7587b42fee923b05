import { map, type OperatorFunction } from 'rxjs';
import { GradstreamError, describeTyped } from '../core/errors.js';
import type { Loss } from '../core/loss.js';
import type { MetricFn } from '../core/metrics/metricFn.js';
import type { StepRecord, WithOutput } from '../streams/stepRecord.js';

/** A record after {@link metric}: named metric values of its step. */
export type WithMetrics = { metrics: Record<string, number> };

/**
 * Adds a named metric of each record's `output` against its batch targets: sets
 * `record.metrics[name]` (the `metrics` object is created on the first record and reused). `fn`
 * is a {@link MetricFn} (`accuracy`, `rmse`, `r2`, …) or any `Loss` (its `value`). Place it after
 * `forward`; after `update` the output still belongs to the record's step.
 *
 * Emits every record; completes and errors with its source; errors with what `fn` throws (e.g. a
 * `GradstreamError` for targets of the wrong shape). Throws a `GradstreamError` at once when `name`
 * is not a non-empty string or `fn` neither a function nor a loss.
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { accuracy, dense, forward, gradient, loss, metric, sequential, sgd, softmaxCrossEntropy, update } from 'gradstream';
 * const model = sequential([dense(2, 3)]);
 * const l = softmaxCrossEntropy();
 * const step = pipe(forward(model), loss(l), gradient(model, l), update(sgd()), metric('accuracy', accuracy));
 * // each record: r.metrics.accuracy
 */
export function metric<R extends StepRecord & WithOutput>(name: string, fn: MetricFn | Loss): OperatorFunction<R, R & WithMetrics> {
  if (typeof name !== 'string' || name === '') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'metric(name)',
      expected: 'a non-empty string (the key in record.metrics)',
      received: describeTyped(name),
    });
  }
  if (typeof fn !== 'function' && (typeof fn !== 'object' || fn === null || typeof (fn as Partial<Loss>).value !== 'function')) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `metric(${JSON.stringify(name)}).fn`,
      expected: 'a metric function (accuracy, rmse, r2, …) or a loss (mse(), …)',
      received: describeTyped(fn),
    });
  }
  const f: MetricFn = typeof fn === 'function' ? fn : (p, t, rows, cols) => fn.value(p, t, rows, cols);
  return map((r) => {
    const rec = r as R & Partial<WithMetrics>;
    const rows = r.batch.size;
    const value = f(r.output, r.batch.y, rows, r.output.length / rows);
    (rec.metrics ??= {})[name] = value;
    return rec as R & WithMetrics;
  });
}
