import type { OperatorFunction } from 'rxjs';
import { stepStage, type StepStage } from './stepStage.js';
import { checkLoss } from '../core/checkLoss.js';
import type { Loss } from '../core/loss.js';
import type { StepRecord, WithLoss, WithOutput } from '../streams/stepRecord.js';
import { OutputShape } from './outputShape.js';

/**
 * The parts of the loss of a model with a weight penalty (`kernelRegularizer`): `forward` sets
 * `penalty`, `loss` sets `dataLoss` and makes `loss` their sum.
 */
export type WithPenalty = { penalty: number; dataLoss: number };

/**
 * Sets each record's `loss`: the loss function's value of `output` against the batch targets
 * `batch.y` — plus, when the model has a weight penalty (`forward` then set `record.penalty`), the
 * penalty; the record then also holds the two apart, `dataLoss` and `penalty`. Emits every record;
 * completes and errors with its source; errors with a `GradstreamError` when the targets do not
 * fit the output. Throws a `GradstreamError` at once when `lossFn` is not a loss.
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { dense, forward, loss, mse, sequential } from 'gradstream';
 * const model = sequential([dense(4, 4, { bias: false })]);
 * const step = pipe(forward(model), loss(mse()));
 */
export function loss<R extends StepRecord & WithOutput>(lossFn: Loss): OperatorFunction<R, R & WithLoss & Partial<WithPenalty>> {
  checkLoss('loss(lossFn)', lossFn);
  return stepStage<R, R & WithLoss & Partial<WithPenalty>>(() => new LossStage<R>(lossFn));
}

/** `loss`'s work (a class: the same `next` in every run, which V8 inlines into the fused step). */
class LossStage<R extends StepRecord & WithOutput> implements StepStage<R, R & WithLoss & Partial<WithPenalty>> {
  /** The output's columns for batches of `rows` rows and outputs of `size` numbers (no division per step). */
  private readonly shape = new OutputShape();

  constructor(private readonly lossFn: Loss) {}

  next(r: R): R & WithLoss & Partial<WithPenalty> {
    const rows = r.batch.size;
    const rec = r as R & WithLoss & Partial<WithPenalty>;
    const out = r.output;
    const value = this.lossFn.value(out, r.batch.y, rows, this.shape.cols(out.length, rows));
    const penalty = rec.penalty;
    if (penalty === undefined) {
      rec.loss = value;
    } else {
      rec.dataLoss = value;
      rec.loss = value + penalty;
    }
    return rec;
  }
}
