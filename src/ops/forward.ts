import { defer, map, type OperatorFunction } from 'rxjs';
import type { ForwardCache, Model } from '../core/model.js';
import type { StepRecord, WithOutput } from '../streams/stepRecord.js';

/**
 * Runs the model on each record's batch: sets `output` (`[batch, outputs]`) and `cache` (the
 * activations the backward pass needs). Buffers are made once per batch size per subscription.
 * Emits every record; completes and errors with its source; errors with a `GradstreamError` on a
 * shape mismatch.
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { dense, forward, sequential } from 'gradstream';
 * const model = sequential([dense(4, 4, { bias: false })]);
 * const step = pipe(forward(model));
 */
export function forward<R extends StepRecord>(model: Model): OperatorFunction<R, R & WithOutput> {
  return (source) =>
    defer(() => {
      const caches = new Map<number, ForwardCache>();
      let last: ForwardCache | null = null; // the cache of the previous step: the usual hit
      return source.pipe(
        map((r) => {
          const size = r.batch.size;
          let cache = last !== null && last.batchSize === size ? last : caches.get(size);
          if (cache === undefined) {
            cache = model.createCache(size);
            caches.set(size, cache);
          }
          last = cache;
          const rec = r as R & WithOutput;
          rec.output = model.forward(r.params, r.batch.x, cache);
          rec.cache = cache;
          return rec;
        }),
      );
    });
}
