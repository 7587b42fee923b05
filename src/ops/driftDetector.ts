import { Observable, Subject, type OperatorFunction } from 'rxjs';
import { GradstreamError, describeValue } from '../core/errors.js';
import type { StepRecord } from '../streams/stepRecord.js';
import { createAdwin, type AdwinOptions } from '../core/drift/adwin.js';
import { createPageHinkley, type PageHinkleyOptions } from '../core/drift/pageHinkley.js';
import { FreshBatch } from './freshBatch.js';
import { untilUnsubscribed } from './untilUnsubscribed.js';

/** A change detector over a stream of numbers: `update(x)` is true when `x` completes a detected change. */
export interface ChangeDetector {
  update(x: number): boolean;
}

/** Options of {@link driftDetector}: the method and its parameters, and the value to watch. */
export type DriftDetectorOptions<R> = (
  | ({ readonly method: 'pageHinkley' } & PageHinkleyOptions)
  | ({ readonly method: 'adwin' } & AdwinOptions)
) & {
  /** The monitored value of a record (default: its `loss`). Non-finite values are skipped. */
  readonly monitor?: (r: R) => number;
};

/** What {@link driftDetector} emits on `drift$` when it detects a change. */
export interface DriftEvent {
  readonly method: 'pageHinkley' | 'adwin';
  readonly step: number;
  readonly epoch: number;
  readonly batchIndex: number;
  /** The monitored value that completed the detection. */
  readonly value: number;
}

/** A record after {@link driftDetector}: `drift` is true on the record where a change was detected. */
export type WithDrift = { drift: boolean };

/** The drift operator (records pass through with `drift` added), with the stream of detections. */
export type DriftDetectorOperator<R> = OperatorFunction<R, R & WithDrift> & {
  /** Emits a {@link DriftEvent} for every detection (every subscription of the operator). */
  readonly drift$: Observable<DriftEvent>;
};

/**
 * Watches a value of each record — the loss by default, or e.g. a prequential metric — for concept
 * drift: a lasting change of its mean. `'pageHinkley'` (Page 1954, as River's `PageHinkley`)
 * detects an increase quickly and cheaply; `'adwin'` (Bifet & Gavaldà 2007, River's cut bound)
 * keeps an adaptive window and detects changes in either direction with a false-alarm bound
 * `delta`. Sets `record.drift` (true on the record of a detection, false otherwise) and emits a
 * {@link DriftEvent} on `drift$`; the detector then starts afresh (Page-Hinkley) or keeps the
 * window after the change (ADWIN). A policy reacts by subscribing to `drift$` — raise the learning
 * rate through a `hyperParam`, or reset the optimizer state.
 *
 * Made outside a `pipe`, give the record type it will see (`driftDetector<MyRecord>(…)`) so the
 * fields added before it stay typed after it.
 *
 * Emits every record; completes and errors with its source; errors with what `monitor` throws.
 * The final record of a run that re-evaluates the last batch (same data cursor) is not fed again.
 *
 * @example
 * import { pipe } from 'rxjs';
 * import { driftDetector, hyperParam } from 'gradstream';
 * const lr = hyperParam(0.01);
 * const drift = driftDetector({ method: 'pageHinkley', threshold: 5, minInstances: 30 });
 * drift.drift$.subscribe(() => (lr.value = 0.1)); // learn fast again after a change
 * // pipe(forward(m), loss(l), drift, gradient(m, l), update(sgd({ lr })))
 */
export function driftDetector<R extends StepRecord>(options: DriftDetectorOptions<R>): DriftDetectorOperator<R> {
  const { method, make, monitor } = checkDriftOptions(options);
  const drift$ = new Subject<DriftEvent>();
  const operator = (source: Observable<R>): Observable<R & WithDrift> =>
    new Observable<R & WithDrift>((subscriber) => {
      const detector = make();
      const batches = new FreshBatch();
      return source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          const rec = r as R & WithDrift;
          rec.drift = false;
          if (batches.isFresh(r)) {
            let v: number;
            try {
              v = monitor(r);
            } catch (e: unknown) {
              subscriber.error(e);
              return;
            }
            if (Number.isFinite(v) && detector.update(v)) {
              rec.drift = true;
              drift$.next({ method, step: r.step, epoch: r.epoch, batchIndex: r.batchIndex, value: v });
            }
          }
          subscriber.next(rec);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
  return Object.assign(operator, { drift$: drift$.asObservable() });
}

/** Checks the options (a detector is built once, so that bad ones throw at construction). */
function checkDriftOptions<R extends StepRecord>(
  options: DriftDetectorOptions<R>,
): { method: DriftEvent['method']; make: () => ChangeDetector; monitor: (r: R) => number } {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'driftDetector',
      expected: "options with a method, e.g. { method: 'pageHinkley' }",
      received: describeValue(options),
    });
  }
  const method = options.method;
  if (method !== 'pageHinkley' && method !== 'adwin') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'driftDetector.method',
      expected: "'pageHinkley' or 'adwin'",
      received: describeValue(method),
    });
  }
  const make = (): ChangeDetector => (method === 'pageHinkley' ? createPageHinkley(options) : createAdwin(options));
  make();
  const monitor = options.monitor ?? ((r: R) => r.loss ?? Number.NaN);
  if (typeof monitor !== 'function') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'driftDetector.monitor',
      expected: 'a function of the record',
      received: describeValue(monitor),
    });
  }
  return { method, make, monitor };
}
