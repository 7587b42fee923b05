import type { Regularizer } from './regularizer.js';
import { weightPenalty } from './weightPenalty.js';

/**
 * The L2 weight penalty `λ · Σw²` (Keras' `L2`, default `λ` 0.01; no ½), for a layer's
 * `kernelRegularizer`. Its gradient `2λw` shrinks every weight towards 0 in proportion to its size.
 * With adaptive optimizers prefer decoupled decay (`adamw`): an L2 penalty's gradient is rescaled
 * by Adam's per-weight step sizes, decoupled decay is not.
 *
 * @example
 * import { dense, l2, relu, sequential } from 'gradstream';
 * const model = sequential([dense(2, 64, { kernelRegularizer: l2(1e-3) }), relu(), dense(64, 1)]);
 */
export function l2(lambda = 0.01): Regularizer {
  return weightPenalty('l2', 0, lambda);
}
