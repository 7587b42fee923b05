import type { OperatorFunction } from 'rxjs';
import { checkLoss } from '../core/checkLoss.js';
import { checkModel } from '../core/checkModel.js';
import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import { createParamsIn, zerosLike, type Params } from '../core/params.js';
import type { StepRecord, WithGrads, WithOutput } from '../streams/stepRecord.js';
import { OutputShape } from './outputShape.js';
import { stepStage, type StepStage } from './stepStage.js';

/**
 * Backpropagation: sets each record's `grads` to `∂loss/∂params` (same layout as `params`) at the
 * record's weights and batch. The gradient buffers are made once per subscription and
 * overwritten every step. Emits every record; completes and errors with its source.
 *
 * For data-parallel training on worker threads, `dataParallel(model, loss, optimizer, { workers })`
 * replaces `forward`, `loss`, `gradient` and `update`.
 *
 * Throws a `GradstreamError` at once when `model` is not a model or `lossFn` not a loss.
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { adam, dense, forward, gradient, loss, relu, sequential, softmaxCrossEntropy, update } from 'gradstream';
 * const model = sequential([dense(784, 128), relu(), dense(128, 10)]);
 * const ce = softmaxCrossEntropy();
 * const step = pipe(forward(model), loss(ce), gradient(model, ce), update(adam({ lr: 1e-3 })));
 */
export function gradient<R extends StepRecord & WithOutput>(model: Model, lossFn: Loss): OperatorFunction<R, R & WithGrads> {
  checkModel('gradient(model)', model);
  checkLoss('gradient(lossFn)', lossFn);
  return stepStage<R, R & WithGrads>(() => new BackpropStage<R>(model, lossFn));
}

/** Backprop's work (a class: the same `next` in every run, which V8 inlines into the fused step). */
class BackpropStage<R extends StepRecord & WithOutput> implements StepStage<R, R & WithGrads> {
  /** The gradients (the model's precision: Float32Array for float32 models). */
  private readonly grads: Params;
  /** ∂L/∂output, of the output's precision. */
  private dPred = new Float64Array(0);
  private readonly shape = new OutputShape();

  constructor(
    private readonly model: Model,
    private readonly lossFn: Loss,
  ) {
    this.grads = createParamsIn(model.layout, model.precision ?? 'float64');
  }

  next(r: R): R & WithGrads {
    const out = r.output;
    if (this.dPred.length !== out.length) this.dPred = zerosLike(out);
    const rows = r.batch.size;
    this.lossFn.grad(this.dPred, out, r.batch.y, rows, this.shape.cols(out.length, rows));
    this.model.backward(r.params, r.cache, this.dPred, this.grads);
    const rec = r as R & WithGrads;
    rec.grads = this.grads;
    return rec;
  }
}
