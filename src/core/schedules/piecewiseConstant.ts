import { GradstreamError } from '../errors.js';
import type { Schedule } from '../optimizer.js';
import { checkNumber } from '../optimizers/checkOption.js';

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
  const { boundaries, values } = options;
  if (!Array.isArray(values) || !Array.isArray(boundaries) || values.length !== boundaries.length + 1) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'piecewiseConstant.values',
      expected: `${Array.isArray(boundaries) ? boundaries.length + 1 : 'one more than boundaries'} numbers (one more than boundaries)`,
      received: Array.isArray(values) ? String(values.length) : typeof values,
    });
  }
  for (let i = 0; i < boundaries.length; i++) {
    checkNumber(`piecewiseConstant.boundaries[${i}]`, boundaries[i], 'finite');
    if (i > 0 && !(boundaries[i]! > boundaries[i - 1]!)) {
      throw new GradstreamError({ code: 'invalid_config', path: `piecewiseConstant.boundaries[${i}]`, expected: `a number > ${boundaries[i - 1]}`, received: String(boundaries[i]) });
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
