import { checkKnownOptions } from './checkOption.js';
import type { GradientTransformation, LearningRate, OptState } from '../optimizer.js';
import { scaleByLearningRate } from './scaleByLearningRate.js';
import { scaleByRss } from './scaleByRss.js';
import { withClipping, type ClipOptions } from './withClipping.js';

/** Options of {@link adagrad}; the defaults are Keras's. */
export interface AdagradOptions extends ClipOptions {
  /** Learning rate, schedule or `hyperParam` cell (default 0.001). */
  readonly lr?: LearningRate;
  /** Starting value of the sum of squares, ≥ 0 (default 0.1). */
  readonly initialAccumulatorValue?: number;
  /** Added under the square root, > 0 (default 1e-7). */
  readonly epsilon?: number;
}

/**
 * Adagrad as in TensorFlow.js and Keras, `chain(scaleByRss, scaleByLearningRate)`:
 * `s ← s + g²`, `params ← params − lr · g / √(s + ε)`.
 * Defaults: `lr` 0.001, `initialAccumulatorValue` 0.1, `epsilon` 1e-7.
 *
 * @example
 * import { adagrad } from 'gradstream';
 * const opt = adagrad({ lr: 0.1 });
 */
export function adagrad(options: AdagradOptions = {}): GradientTransformation<OptState[]> {
  checkKnownOptions('adagrad', options, ['lr', 'initialAccumulatorValue', 'epsilon']);
  const name = 'adagrad';
  return withClipping(name, options, scaleByRss(options, name), scaleByLearningRate(options.lr ?? 0.001, name));
}
