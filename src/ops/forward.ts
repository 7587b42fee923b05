import type { OperatorFunction } from 'rxjs';
import { stepStage } from './stepStage.js';
import { checkModel } from '../core/checkModel.js';
import type { Rng } from '../core/rng.js';
import type { ForwardCache, Model } from '../core/model.js';
import type { ParamLayout } from '../core/params.js';
import { checkParamsLayout } from './checkParamsLayout.js';
import type { StepRecord, WithOutput } from '../streams/stepRecord.js';
import type { WithPenalty } from './loss.js';

/**
 * Runs the model on each record's batch **in training mode**: sets `output` (`[batch, outputs]`)
 * and `cache` (the activations the backward pass needs). Dropout drops (its masks come from the
 * record's `rng`, the run's generator, and its `step`), batch normalization uses the batch's
 * statistics and updates its moving statistics. When the model has a weight penalty
 * (`kernelRegularizer`) it also sets `penalty`, which `loss` adds to the data loss. Buffers are
 * made once per batch size per subscription.
 *
 * Emits every record; completes and errors with its source; errors with a `GradstreamError` on a
 * shape mismatch (params of another layout than the model's, named on the first record), or when the model has dropout and the record no `rng` (pass
 * `train({ rng: createRng(seed) })`). Throws a `GradstreamError` at once when `model` is not a model.
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { dense, forward, sequential } from 'gradstream';
 * const model = sequential([dense(4, 4, { bias: false })]);
 * const step = pipe(forward(model));
 */
export function forward<R extends StepRecord>(model: Model): OperatorFunction<R, R & WithOutput> {
  checkModel('forward(model)', model);
  return stepStage<R, R & WithOutput>(() => {
    const caches = new Map<number, ForwardCache>();
    let last: ForwardCache | null = null; // the cache of the previous step: the usual hit
    const mode: { training: boolean; rng: Rng | undefined; step: number } = { training: true, rng: undefined, step: 0 };
    const penalized = model.penalty !== undefined;
    let checkedLayout: ParamLayout | null = null; // the params' layout, checked against the model's once
    // New params or a new batch size: out of `next`, which stays small enough for V8 to inline.
    const prepare = (r: R): ForwardCache => {
      if (r.params.layout !== checkedLayout) {
        checkParamsLayout(model.layout, r.params.layout);
        checkedLayout = r.params.layout;
      }
      const size = r.batch.size;
      let cache = caches.get(size);
      if (cache === undefined) {
        cache = model.createCache(size);
        caches.set(size, cache);
      }
      last = cache;
      return cache;
    };
    return {
      next: (r) => {
        const cache = last !== null && last.batchSize === r.batch.size && r.params.layout === checkedLayout ? last : prepare(r);
        mode.rng = r.rng;
        mode.step = r.step;
        const rec = r as R & WithOutput & Partial<WithPenalty>; // penalty: read by `loss`
        rec.output = model.forward(r.params, r.batch.x, cache, mode);
        rec.cache = cache;
        if (penalized) rec.penalty = model.penalty!(r.params);
        return rec;
      },
    };
  });
}
