import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { HyperParam } from '../core/hyperParam.js';
import { checkInteger, checkNumber } from '../core/optimizers/checkOption.js';
import type { StepRecord, WithLoss } from '../streams/stepRecord.js';
import { untilUnsubscribed } from './untilUnsubscribed.js';

/** Options of {@link reduceOnPlateau}; the defaults are Keras's `ReduceLROnPlateau` (in steps). */
export interface ReduceOnPlateauOptions {
  /** Multiply the learning rate by this on a plateau, in [0, 1) (default 0.1). */
  readonly factor?: number;
  /** Steps without improvement before reducing, an integer ≥ 1 (default 10). */
  readonly patience?: number;
  /** A loss below `best − minDelta` is an improvement; ≥ 0 (default 1e-4). */
  readonly minDelta?: number;
  /** Steps to wait after a reduction before counting again, an integer ≥ 0 (default 0). */
  readonly cooldown?: number;
  /** Never reduce below this, ≥ 0 (default 0). */
  readonly minLr?: number;
}

/**
 * Lowers a live learning rate when the loss stops improving (Keras `ReduceLROnPlateau`, counted
 * in steps): after `patience` records whose loss is not below `best − minDelta`, sets
 * `lr.value = max(lr.value · factor, minLr)`, then waits `cooldown` records before counting again.
 * Give the same cell to the optimizer (`adam({ lr })`) and place this operator between `loss` and
 * `update`, so the reduced rate applies to the update of the step that triggered it and the
 * record's `lr` says so. The cell is shared: a second subscription continues from its value.
 *
 * Emits every record unchanged; completes and errors with its source. Errors at construction
 * with a `GradstreamError` naming the bad option (e.g. `reduceOnPlateau.factor`).
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { adam, dense, forward, gradient, hyperParam, loss, mse, reduceOnPlateau, sequential, update } from 'gradstream';
 * const model = sequential([dense(4, 4, { bias: false })]);
 * const l = mse();
 * const lr = hyperParam(0.01);
 * const step = pipe(forward(model), loss(l), reduceOnPlateau(lr, { patience: 20, factor: 0.5 }), gradient(model, l), update(adam({ lr })));
 */
export function reduceOnPlateau<R extends StepRecord & WithLoss>(lr: HyperParam, options: ReduceOnPlateauOptions = {}): MonoTypeOperatorFunction<R> {
  const factor = checkNumber('reduceOnPlateau.factor', options.factor ?? 0.1, '[0, 1)');
  const patience = checkInteger('reduceOnPlateau.patience', options.patience ?? 10, 1);
  const minDelta = checkNumber('reduceOnPlateau.minDelta', options.minDelta ?? 1e-4, '≥ 0');
  const cooldown = checkInteger('reduceOnPlateau.cooldown', options.cooldown ?? 0, 0);
  const minLr = checkNumber('reduceOnPlateau.minLr', options.minLr ?? 0, '≥ 0');
  return (source) =>
    new Observable<R>((subscriber) => {
      let best = Infinity;
      let wait = 0;
      let cooling = 0;
      return source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          if (cooling > 0) {
            cooling -= 1;
            wait = 0;
          }
          if (r.loss < best - minDelta) {
            best = r.loss;
            wait = 0;
          } else if (cooling === 0 && ++wait >= patience && lr.value > minLr) {
            lr.value = Math.max(lr.value * factor, minLr);
            cooling = cooldown;
            wait = 0;
          }
          subscriber.next(r);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}
