import type { OperatorFunction } from 'rxjs';
import { stepStage, type StepStage } from './stepStage.js';
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
 * statistics and updates its moving statistics — except on the final record (`stopReason` set by
 * the driver), whose update is never applied: it is evaluated without folding. When the model has a weight penalty
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
  return stepStage<R, R & WithOutput>(() => new ForwardStage<R>(model));
}

/**
 * `forward`'s work for one subscription (a class: its methods are the same functions in every
 * run, which V8 inlines into the fused step).
 */
class ForwardStage<R extends StepRecord> implements StepStage<R, R & WithOutput> {
  private readonly caches = new Map<number, ForwardCache>();
  /** The cache of the previous step: the usual hit. */
  private last: ForwardCache | null = null;
  private readonly mode: { training: boolean; rng: Rng | undefined; step: number; foldStats: boolean } = {
    training: true,
    rng: undefined,
    step: 0,
    foldStats: true,
  };
  private readonly penalized: boolean;
  /** The params' layout, checked against the model's once. */
  private checkedLayout: ParamLayout | null = null;

  constructor(private readonly model: Model) {
    this.penalized = model.penalty !== undefined;
  }

  next(r: R): R & WithOutput {
    const last = this.last;
    const cache = last !== null && last.batchSize === r.batch.size && r.params.layout === this.checkedLayout ? last : this.prepare(r);
    const mode = this.mode;
    mode.rng = r.rng;
    mode.step = r.step;
    mode.foldStats = r.stopReason === undefined;
    const rec = r as R & WithOutput & Partial<WithPenalty>; // penalty: read by `loss`
    rec.output = this.model.forward(r.params, r.batch.x, cache, mode);
    rec.cache = cache;
    if (this.penalized) rec.penalty = this.model.penalty!(r.params);
    return rec;
  }

  /** New params or a new batch size: out of `next`, which stays small enough for V8 to inline. */
  private prepare(r: R): ForwardCache {
    if (r.params.layout !== this.checkedLayout) {
      checkParamsLayout(this.model.layout, r.params.layout);
      this.checkedLayout = r.params.layout;
    }
    const size = r.batch.size;
    let cache = this.caches.get(size);
    if (cache === undefined) {
      cache = this.model.createCache(size);
      this.caches.set(size, cache);
    }
    this.last = cache;
    return cache;
  }
}
