import { GradstreamError, describeTyped } from '../errors.js';
import type { Schedule } from '../optimizer.js';
import { checkNumber, checkOptions } from '../optimizers/checkOption.js';

/** Options of {@link piecewiseConstant} (Keras `PiecewiseConstantDecay`). */
export interface PiecewiseConstantOptions {
  /** Increasing steps where the rate changes. */
  readonly boundaries: readonly number[];
  /** One more rate than boundaries, each ≥ 0. */
  readonly values: readonly number[];
}

/**
 * `values[0]` for `step ≤ boundaries[0]`, `values[i]` for `boundaries[i−1] < step ≤ boundaries[i]`,
 * and the last value after the last boundary (Keras `PiecewiseConstantDecay`).
 *
 * @example
 * import { piecewiseConstant, sgd } from 'gradstream';
 * const opt = sgd({ lr: piecewiseConstant({ boundaries: [100, 200], values: [0.1, 0.01, 0.001] }) });
 */
export function piecewiseConstant(options: PiecewiseConstantOptions): Schedule {
  const o = checkOptions('piecewiseConstant', options, ['boundaries', 'values'], true);
  const boundaries = o.boundaries as readonly number[];
  const values = o.values as readonly number[];
  if (!Array.isArray(boundaries)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'piecewiseConstant.boundaries',
      expected: 'an array of increasing steps',
      received: describeTyped(boundaries),
    });
  }
  if (!Array.isArray(values) || values.length !== boundaries.length + 1) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'piecewiseConstant.values',
      expected: `${boundaries.length + 1} numbers (one more than boundaries)`,
      received: Array.isArray(values) ? String(values.length) : describeTyped(values),
    });
  }
  for (let i = 0; i < boundaries.length; i++) {
    checkNumber(`piecewiseConstant.boundaries[${i}]`, boundaries[i], 'finite');
    if (i > 0 && !(boundaries[i]! > boundaries[i - 1]!)) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `piecewiseConstant.boundaries[${i}]`,
        expected: `a number > ${boundaries[i - 1]}`,
        received: describeTyped(boundaries[i]),
      });
    }
  }
  for (let i = 0; i < values.length; i++) checkNumber(`piecewiseConstant.values[${i}]`, values[i], '≥ 0');
  const b = boundaries.slice();
  const v = values.slice();
  return (step) => {
    let i = 0;
    while (i < b.length && step > b[i]!) i++;
    return v[i]!;
  };
}
