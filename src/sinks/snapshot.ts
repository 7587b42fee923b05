import { map, type Observable } from 'rxjs';
import { cloneParams, type Params } from '../core/params.js';
import type { WithMetrics } from '../ops/metric.js';
import type { StepRecord, StopReason } from '../streams/stepRecord.js';

/**
 * A frozen copy of a step record's scalars, weights and metrics, safe to keep. Its `loss` has the
 * record's type (a `number` after `loss(…)`); `metrics` is there when the record has metrics.
 */
export type StepSnapshot<R extends StepRecord = StepRecord> = {
  readonly step: number;
  readonly epoch: number;
  readonly batchIndex: number;
  readonly loss: R['loss'];
  readonly lr: number;
  readonly params: Params;
  readonly stopReason: StopReason | undefined;
} & (R extends WithMetrics ? { readonly metrics: Readonly<Record<string, number>> } : unknown);

/** The operator {@link snapshot} returns: generic in the record type, which its snapshots follow. */
export type SnapshotOperator<R extends StepRecord = StepRecord> = <T extends R>(source: Observable<T>) => Observable<StepSnapshot<T>>;

/**
 * Copies each record into a {@link StepSnapshot} (fresh weights buffer, a copy of its metrics),
 * for keeping records after their emission (`toArray`, async sinks). Completes and errors with
 * its source.
 *
 * @example
 * import { snapshot } from 'gradstream';
 * // train({ …, pipeline }).pipe(snapshot(), toArray())
 */
export function snapshot<R extends StepRecord = StepRecord>(): SnapshotOperator<R> {
  const operator = map((r: StepRecord) => {
    const metrics = (r as Partial<WithMetrics>).metrics;
    return Object.freeze({
      step: r.step,
      epoch: r.epoch,
      batchIndex: r.batchIndex,
      loss: r.loss,
      lr: r.lr,
      params: cloneParams(r.params),
      stopReason: r.stopReason,
      ...(metrics === undefined ? {} : { metrics: Object.freeze({ ...metrics }) }),
    });
  });
  return operator as unknown as SnapshotOperator<R>;
}
