import type { GradientTransformation, LearningRate, OptState } from '../optimizer.js';
import { chain } from './chain.js';
import { scaleByLearningRate } from './scaleByLearningRate.js';

/** Options of {@link sgd}. */
export interface SgdOptions {
  /** Learning rate or schedule (default 0.01, as in Keras). */
  readonly lr?: LearningRate;
}

/**
 * Plain stochastic gradient descent: `params ← params − lr · grads`.
 *
 * @example
 * import { sgd } from 'gradstream';
 * const opt = sgd({ lr: 0.01 });
 */
export function sgd(options: SgdOptions = {}): GradientTransformation<OptState[]> {
  return chain(scaleByLearningRate(options.lr ?? 0.01));
}
