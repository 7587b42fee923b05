import type { Regularizer } from './regularizer.js';
import { weightPenalty } from './weightPenalty.js';

/**
 * The L1 weight penalty `λ · Σ|w|` (Keras' `L1`, default `λ` 0.01), for a layer's
 * `kernelRegularizer`: its gradient `λ · sign(w)` pushes weights to exactly 0 (sparse weights).
 *
 * @example
 * import { dense, l1, sequential } from 'gradstream';
 * const model = sequential([dense(20, 1, { kernelRegularizer: l1(1e-3) })]);
 */
export function l1(lambda = 0.01): Regularizer {
  return weightPenalty('l1', lambda, 0);
}
