import { checkKnownOptions } from './checkOption.js';
import type { GradientTransformation, Hyper, LearningRate, OptState } from '../optimizer.js';
import { sgd } from './sgd.js';
import type { ClipOptions } from './withClipping.js';

/** Options of {@link nesterov}. */
export interface NesterovOptions extends ClipOptions {
  /** Learning rate, schedule or `hyperParam` cell (default 0.01). */
  readonly lr?: LearningRate;
  /** Momentum in [0, 1] (default 0.9); a cell is read at every update. */
  readonly momentum?: Hyper;
}

/**
 * Nesterov momentum, TensorFlow.js's `tf.train.momentum(lr, momentum, true)`:
 * `a ← momentum · a + g`, `params ← params − lr · (g + momentum · a)`.
 * Defaults: `lr` 0.01, `momentum` 0.9.
 *
 * @example
 * import { nesterov } from 'gradstream';
 * const opt = nesterov({ lr: 0.01, momentum: 0.9 });
 */
export function nesterov(options: NesterovOptions = {}): GradientTransformation<OptState[]> {
  checkKnownOptions('nesterov', options, ['lr', 'momentum']);
  return sgd({ ...options, momentum: options.momentum ?? 0.9, nesterov: true }, 'nesterov');
}
