import type { OperatorFunction } from 'rxjs';
import { GradstreamError, describeTyped } from '../core/errors.js';
import { applyUpdates, type GradientTransformation, type OptState } from '../core/optimizer.js';
import type { Params } from '../core/params.js';
import { fusedApply } from '../core/optimizers/fused/fusedApply.js';
import { constantRateOf, fusedFormOf, type FusedForm } from '../core/optimizers/fused/fusedForm.js';
import type { StepRecord, WithGrads } from '../streams/stepRecord.js';
import { stepStage, type StepStage } from './stepStage.js';
import { checkOptState } from './checkOptState.js';

/**
 * The optimizer step. For each record it sets `lr` (the learning rate of this update) and
 * `optState` (initialized on the first record unless resuming), emits the record — still
 * holding the weights of its step — and then, unless the record is final (`stopReason`) or the
 * subscriber has gone (downstream `take`, early stopping), applies the update in place:
 * `params += transform(grads)` (transforming the `grads` buffer in place), advancing `optState`
 * and `step`. The loop driver then feeds the
 * same record, with the new weights, to the next step.
 *
 * A record whose loss is not finite becomes the final one (`stopReason: 'diverged'`) unless
 * `stopOnDivergence` is false. A resumed optimizer state is checked against the optimizer and the
 * params on the first record (structure and buffer lengths), naming what differs.
 *
 * Emits every record; completes and errors with its source; errors when the optimizer throws.
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { dense, forward, gradient, loss, mse, sequential, sgd, update } from 'gradstream';
 * const model = sequential([dense(4, 4, { bias: false })]);
 * const l = mse();
 * const step = pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0.01 })));
 */
export function update<R extends StepRecord & WithGrads, S extends OptState>(
  optimizer: GradientTransformation<S>,
  options: UpdateOptions = {},
): OperatorFunction<R, R> {
  const stopOnDivergence = options.stopOnDivergence ?? true;
  if (typeof stopOnDivergence !== 'boolean') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'update.stopOnDivergence',
      expected: 'a boolean',
      received: describeTyped(stopOnDivergence),
    });
  }
  if (
    optimizer === null ||
    typeof optimizer !== 'object' ||
    typeof optimizer.init !== 'function' ||
    typeof optimizer.update !== 'function'
  ) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'update.optimizer',
      expected: 'a GradientTransformation { init, update } (sgd(), adam(), chain(…))',
      received: describeTyped(optimizer),
    });
  }
  return stepStage<R, R>(() => new UpdateStage<R, S>(optimizer, stopOnDivergence));
}

/**
 * `update`'s work for one subscription (a class: its methods are the same functions in every run,
 * which V8 inlines into the fused step).
 *
 * The optimizer's methods are read once and called with the optimizer as `this`: optimizers
 * built by spreading another object get a fresh hidden class once an old one is collected, so
 * reading them every step would end up as megamorphic property loads.
 */
export class UpdateStage<R extends StepRecord & WithGrads, S extends OptState> implements StepStage<R, R> {
  private checked = false;
  private readonly init: GradientTransformation<S>['init'];
  private readonly rate: GradientTransformation<S>['learningRate'];
  private readonly transform: GradientTransformation<S>['update'];
  /** The optimizer's one-pass form (src/core/optimizers/fused), when it has one. */
  private readonly fused: FusedForm | undefined;
  /** The one-pass kernel's scalars. */
  private readonly scratch = new Float64Array(8);
  /** The learning rate when it never changes (the fused form's `constantRate`): no call per step. */
  private readonly constantRate: number | undefined;

  /**
   * @param applyElsewhere - tried first for each update (data-parallel training: the worker
   *   threads each update their slice); returns false, having changed nothing, when it cannot.
   */
  constructor(
    private readonly optimizer: GradientTransformation<S>,
    private readonly stopOnDivergence: boolean,
    private readonly applyElsewhere: ApplyElsewhere | null = null,
  ) {
    this.init = optimizer.init;
    this.rate = optimizer.learningRate;
    this.transform = optimizer.update;
    this.fused = fusedFormOf(optimizer as GradientTransformation<never>);
    this.constantRate = constantRateOf(optimizer, this.fused);
  }

  next(r: R): R {
    if (!this.checked || r.optState === undefined) this.first(r);
    // A loss that is not finite ends the run here: sinks see the final record, no update is made.
    if (this.stopOnDivergence && !Number.isFinite(r.loss)) diverged(r);
    const lr = this.constantRate;
    r.lr = lr === undefined ? this.rateNow(r) : lr;
    return r;
  }

  /** The optimizer's learning rate for `r`'s update (NaN when it has none): out of `next`. */
  private rateNow(r: R): number {
    const rate = this.rate;
    return rate === undefined ? Number.NaN : (rate.call(this.optimizer, r.optState as S) ?? Number.NaN);
  }

  /** After every sink has seen the record: applies its update, unless it is final or downstream has gone. */
  after(r: R, closed: boolean): void {
    if (closed || r.stopReason !== undefined) return;
    // The gradients are transformed into the updates in place: the buffer is rewritten by
    // the next `gradient` anyway, and sinks have seen the gradients during the emission.
    const updates = r.grads.data;
    if (updates.length !== r.params.data.length) throwGradsShape(r.params.data.length, updates.length);
    const state = r.optState as S;
    const fused = this.fused;
    if (this.applyElsewhere?.(updates, state, r.params)) {
      // applied by the threads
    } else if (fused === undefined || !fusedApply(fused, updates, state as OptState[], r.params, this.scratch)) {
      this.applyTransformed(updates, state, r);
    }
    r.step += 1;
  }

  /** The optimizer state: initialized on the first record unless resuming, a resumed one checked once. */
  private first(r: R): void {
    if (r.optState === undefined) r.optState = this.init.call(this.optimizer, r.params);
    else checkOptState(this.optimizer, r.params, r.optState);
    this.checked = true;
  }

  /** The optimizer's own transform, then `params += updates` (no one-pass kernel): out of `after`. */
  private applyTransformed(updates: Float64Array, state: S, r: R): void {
    this.transform.call(this.optimizer, updates, state, r.params);
    applyUpdates(r.params, updates);
  }
}

/** An update made outside the optimizer's own pass (see {@link UpdateStage}); false when it cannot. */
export type ApplyElsewhere = (updates: Float64Array, state: OptState, params: Params) => boolean;

/** Options of {@link update}. */
export interface UpdateOptions {
  /**
   * End the run (`stopReason: 'diverged'`, no update applied) on the first record whose loss is
   * NaN or ±Infinity (default true). Turn off only to study a divergence.
   */
  readonly stopOnDivergence?: boolean;
}

// Kept out of `next` so that the hot path stays small enough to inline.
function diverged(r: StepRecord): void {
  if (r.stopReason === undefined && r.loss !== undefined) r.stopReason = 'diverged';
}

// Kept out of `next` so that the hot path stays small enough to inline.
function throwGradsShape(expected: number, received: number): never {
  throw new GradstreamError({
    code: 'invalid_shape',
    path: 'grads',
    expected: `${expected} values (the params' layout)`,
    received: String(received),
  });
}
