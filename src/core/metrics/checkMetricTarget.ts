import { GradstreamError } from '../errors.js';

/** Throws a shape error unless `target` has `rows × cols` values (or `rows` labels when `labels`). */
export function checkMetricTarget(metric: string, target: Readonly<Float64Array>, rows: number, cols: number, labels = false): void {
  if (target.length === rows * cols || (labels && target.length === rows)) return;
  throw new GradstreamError({
    code: 'invalid_shape',
    path: `${metric}(target)`,
    expected: labels ? `${rows} class labels or ${rows * cols} values (${rows} rows × ${cols} outputs)` : `${rows * cols} values (${rows} rows × ${cols} outputs)`,
    received: String(target.length),
  });
}
