import { map, type OperatorFunction } from 'rxjs';
import type { Loss } from '../core/loss.js';
import type { StepRecord, WithLoss, WithOutput } from '../streams/stepRecord.js';

/**
 * Sets each record's `loss`: the loss function's value of `output` against the batch targets
 * `batch.y`. Emits every record; completes and errors with its source; errors with a
 * `GradstreamError` when the targets do not fit the output.
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { dense, forward, loss, mse, sequential } from 'gradstream';
 * const model = sequential([dense(4, 4, { bias: false })]);
 * const step = pipe(forward(model), loss(mse()));
 */
export function loss<R extends StepRecord & WithOutput>(lossFn: Loss): OperatorFunction<R, R & WithLoss> {
  return map((r) => {
    const rows = r.batch.size;
    const rec = r as R & WithLoss;
    rec.loss = lossFn.value(r.output, r.batch.y, rows, r.output.length / rows);
    return rec;
  });
}
