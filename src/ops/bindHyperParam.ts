import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { GradstreamError, describeValue } from '../core/errors.js';
import { isHyperParam, type HyperParam } from '../core/hyperParam.js';
import type { StepRecord } from '../streams/stepRecord.js';
import { untilUnsubscribed } from './untilUnsubscribed.js';

/**
 * Drives a live hyperparameter from an Observable: while the training pipeline is subscribed,
 * the latest value `value$` has emitted is written to `cell` when the next record passes, so a
 * step's update uses the value in force when that step began — even when a sink emits on `value$`
 * synchronously in the middle of a step — and the record's `lr` is the rate its update used. Place
 * it before `update` (first in the pipeline is simplest). Records pass through unchanged. `value$`
 * is subscribed before the source, so a `BehaviorSubject`'s current value applies from the first
 * step; it is unsubscribed with the pipeline.
 *
 * Emits every record; completes with its source (not with `value$`, whose last value stays in
 * force); errors with its source, with `value$`, or with a `GradstreamError` (`invalid_value`,
 * path `hyperParam`) when `value$` emits something other than a finite number. Ranges (e.g. a
 * learning rate ≥ 0) are checked by the transformation that reads the cell, at the update.
 *
 * @example
 * import { BehaviorSubject, pipe } from 'rxjs';
 * import { adam, bindHyperParam, dense, forward, gradient, hyperParam, loss, mse, sequential, update } from 'gradstream';
 * const model = sequential([dense(4, 4, { bias: false })]);
 * const l = mse();
 * const lr = hyperParam(0.01);
 * const lr$ = new BehaviorSubject(0.01); // e.g. fed by a slider
 * const step = pipe(bindHyperParam(lr, lr$), forward(model), loss(l), gradient(model, l), update(adam({ lr })));
 * lr$.next(0.001); // takes effect at the next step
 */
export function bindHyperParam<T = StepRecord>(cell: HyperParam, value$: Observable<number>): MonoTypeOperatorFunction<T> {
  if (!isHyperParam(cell)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'bindHyperParam(cell)',
      expected: 'a hyperParam cell',
      received: describeValue(cell),
    });
  }
  if (typeof value$ !== 'object' || value$ === null || typeof (value$ as { subscribe?: unknown }).subscribe !== 'function') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'bindHyperParam(value$)',
      expected: 'an Observable of numbers',
      received: describeValue(value$),
    });
  }
  return (source) =>
    new Observable<T>((subscriber) => {
      let pending = false;
      let latest = 0;
      const values = value$.subscribe({
        next(v) {
          if (typeof v !== 'number' || !Number.isFinite(v)) {
            subscriber.error(
              new GradstreamError({ code: 'invalid_value', path: 'hyperParam', expected: 'a finite number', received: describeValue(v) }),
            );
            return;
          }
          latest = v;
          pending = true;
        },
        error: (e: unknown) => subscriber.error(e),
      });
      subscriber.add(values);
      if (pending) {
        cell.value = latest;
        pending = false;
      }
      if (subscriber.closed) return values;
      const records = source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          if (pending) {
            cell.value = latest;
            pending = false;
          }
          subscriber.next(r);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
      return records;
    });
}
