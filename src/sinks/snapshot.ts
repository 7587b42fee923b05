import { map, type OperatorFunction } from 'rxjs';
import { cloneParams, type Params } from '../core/params.js';
import type { StepRecord, StopReason } from '../streams/stepRecord.js';

/** A frozen copy of a step record's scalars and weights, safe to keep. */
export interface StepSnapshot {
  readonly step: number;
  readonly epoch: number;
  readonly batchIndex: number;
  readonly loss: number | undefined;
  readonly lr: number;
  readonly params: Params;
  readonly stopReason: StopReason | undefined;
}

/**
 * Copies each record into a {@link StepSnapshot} (fresh weights buffer), for keeping records
 * after their emission (`toArray`, async sinks). Completes and errors with its source.
 *
 * @example
 * import { snapshot } from 'gradstream';
 * // train({ …, pipeline }).pipe(snapshot(), toArray())
 */
export function snapshot<R extends StepRecord>(): OperatorFunction<R, StepSnapshot> {
  return map((r) =>
    Object.freeze({
      step: r.step,
      epoch: r.epoch,
      batchIndex: r.batchIndex,
      loss: r.loss,
      lr: r.lr,
      params: cloneParams(r.params),
      stopReason: r.stopReason,
    }),
  );
}
