import type { Observable } from 'rxjs';
import { checkTrainOptions } from './checkTrainOptions.js';
import { GuardedObservable } from './rxjsInternals.js';
import { TrainLoop } from './trainLoop.js';
import type { TrainOptions } from './trainOptions.js';

export type { LoopScheduling, TrainOptions } from './trainOptions.js';

/**
 * The loop driver: feeds the step record into `pipeline` once per step and loops the weights
 * that `update` wrote back into it, without recursion (stack-safe for any number of steps).
 *
 * The driver counts the steps: a step whose record does not come back updated (no `update` in the
 * pipeline, a `filter` before it, a copied record) errors the run at once with a
 * `GradstreamError` naming the likely cause, instead of spinning. It waits without spinning when
 * an asynchronous source has no batch yet (`NOT_READY`) and when a sink holds the loop
 * (`record.hold(promise)`), while paused, and until every hold has settled before it completes.
 *
 * Emits what the pipeline emits. Completes when the pipeline completes (early stopping, `take`),
 * after the final record of `maxSteps`, an abort, a stop or the end of the data; errors when the
 * pipeline, the data or a hold errors. Unsubscribing stops it at the next step boundary. A
 * subscriber whose own `next` throws stops the run at once; the error is reported once, the RxJS
 * way (`config.onUnhandledError`, else thrown asynchronously).
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { dense, forward, fullBatch, gradient, loss, mse, sequential, sgd, train, update, createRng } from 'gradstream';
 * const model = sequential([dense(4, 4, { bias: false })]);
 * const l = mse();
 * train({
 *   params: model.init(createRng(1)),
 *   data: fullBatch([[1, 2, 3, 4]], [[2, 3, 4, 5]]),
 *   pipeline: pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0.01 }))),
 *   maxSteps: 100,
 * }).subscribe((r) => console.log(r.step, r.loss));
 */
export function train<R>(options: TrainOptions<R>): Observable<R> {
  checkTrainOptions(options);
  return new GuardedObservable<R>((outer) => new TrainLoop<R>(options, outer).start());
}
