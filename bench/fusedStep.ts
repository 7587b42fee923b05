/**
 * An experiment for the W1 analysis, not library API: `forward`, `loss`, `gradient` and `update`
 * fused into one operator (one subscriber hop per step instead of the chain's), with the same
 * record contract (fields set, the record emitted before the update, no update on a final record
 * or after unsubscription). The difference to `reactive sync` is what the operator chain costs.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { applyUpdates, createParams, type ForwardCache, type GradientTransformation, type Loss, type Model, type OptState, type Params, type StepRecord } from '../src/index.js';

export function fusedStep<S extends OptState>(model: Model, lossFn: Loss, optimizer: GradientTransformation<S>): OperatorFunction<StepRecord, StepRecord> {
  return (source) =>
    new Observable<StepRecord>((subscriber) => {
      let cache: ForwardCache | null = null;
      let dOut = new Float64Array(0);
      const grads: Params = createParams(model.layout);
      const mode = { training: true, rng: undefined as StepRecord['rng'], step: 0 };
      return source.subscribe({
        next(r) {
          try {
            const rows = r.batch.size;
            if (cache === null || cache.batchSize !== rows) {
              cache = model.createCache(rows);
              dOut = new Float64Array(rows * model.outputs);
            }
            mode.rng = r.rng;
            mode.step = r.step;
            const out = model.forward(r.params, r.batch.x, cache, mode);
            const cols = out.length / rows;
            r.output = out;
            r.cache = cache;
            r.loss = lossFn.value(out, r.batch.y, rows, cols);
            lossFn.grad(dOut, out, r.batch.y, rows, cols);
            model.backward(r.params, cache, dOut, grads);
            r.grads = grads;
            if (r.optState === undefined) r.optState = optimizer.init(r.params);
            r.lr = optimizer.learningRate?.(r.optState as S) ?? Number.NaN;
          } catch (e: unknown) {
            subscriber.error(e);
            return;
          }
          subscriber.next(r);
          if (subscriber.closed || r.stopReason !== undefined) return;
          optimizer.update(grads.data, r.optState as S, r.params);
          applyUpdates(r.params, grads.data);
          r.step += 1;
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}
