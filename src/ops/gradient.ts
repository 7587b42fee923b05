import { defer, map, type OperatorFunction } from 'rxjs';
import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import { createParams } from '../core/params.js';
import type { StepRecord, WithGrads, WithOutput } from '../streams/stepRecord.js';

/**
 * Backpropagation: sets each record's `grads` to `∂loss/∂params` (same layout as `params`) at the
 * record's weights and batch. The gradient buffers are made once per subscription and
 * overwritten every step. Emits every record; completes and errors with its source.
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { dense, forward, gradient, loss, mse, sequential } from 'gradstream';
 * const model = sequential([dense(4, 4, { bias: false })]);
 * const l = mse();
 * const step = pipe(forward(model), loss(l), gradient(model, l));
 */
export function gradient<R extends StepRecord & WithOutput>(model: Model, lossFn: Loss): OperatorFunction<R, R & WithGrads> {
  return (source) =>
    defer(() => {
      const grads = createParams(model.layout);
      let dPred = new Float64Array(0);
      return source.pipe(
        map((r) => {
          const out = r.output;
          if (dPred.length !== out.length) dPred = new Float64Array(out.length);
          const rows = r.batch.size;
          lossFn.grad(dPred, out, r.batch.y, rows, out.length / rows);
          model.backward(r.params, r.cache, dPred, grads);
          const rec = r as R & WithGrads;
          rec.grads = grads;
          return rec;
        }),
      );
    });
}
