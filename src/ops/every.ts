import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import { GradstreamError, describeValue } from '../core/errors.js';
import type { StepRecord } from '../streams/stepRecord.js';
import { isSampled } from './isSampled.js';

/**
 * Samples the records: passes those whose `step` is a multiple of `n`, and always the final one
 * (the one with a `stopReason`). Completes and errors with its source.
 *
 * @example
 * import { every } from 'gradstream';
 * const sampled = every(100); // steps 0, 100, 200, … and the last
 */
export function every<R extends StepRecord>(n: number): MonoTypeOperatorFunction<R> {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new GradstreamError({ code: 'invalid_config', path: 'every(n)', expected: 'an integer ≥ 1', received: describeValue(n) });
  }
  return filter((r) => isSampled(r, n));
}
