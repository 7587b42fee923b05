import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { untilUnsubscribed } from '../ops/untilUnsubscribed.js';
import type { StepRecord } from '../streams/stepRecord.js';
import type { TableScore } from './tableEvaluator.js';
import type { Params } from '../core/params.js';

/** A record that may carry a validation loss. */
export type WithValLoss = StepRecord & { valLoss?: number };

/**
 * Sets `record.valLoss` — the loss of the record's weights on the validation table — on every
 * `every`-th step and on the final record; other records carry none. Passes every record through;
 * completes and errors with its source; errors if the evaluation throws.
 */
export function validationLoss(evaluate: (params: Params) => TableScore, every: number): MonoTypeOperatorFunction<WithValLoss> {
  return (source) =>
    new Observable<WithValLoss>((subscriber) =>
      source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          if (r.step % every === 0 || r.stopReason !== undefined) {
            try {
              r.valLoss = evaluate(r.params).loss;
            } catch (e: unknown) {
              subscriber.error(e);
              return;
            }
          } else if (r.valLoss !== undefined) r.valLoss = undefined;
          subscriber.next(r);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}
