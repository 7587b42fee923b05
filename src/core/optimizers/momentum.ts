import { checkKnownOptions } from './checkOption.js';
import type { GradientTransformation, Hyper, LearningRate, OptState } from '../optimizer.js';
import { sgd } from './sgd.js';
import type { ClipOptions } from './withClipping.js';

/** Options of {@link momentum}. */
export interface MomentumOptions extends ClipOptions {
  /** Learning rate, schedule or `hyperParam` cell (default 0.01). */
  readonly lr?: LearningRate;
  /** Momentum in [0, 1] (default 0.9); a cell is read at every update. */
  readonly momentum?: Hyper;
  /** Nesterov momentum (default false). */
  readonly nesterov?: boolean;
}

/**
 * Heavy-ball momentum, TensorFlow.js's `tf.train.momentum`: `a ← momentum · a + g`,
 * `params ← params − lr · a`. Defaults: `lr` 0.01, `momentum` 0.9, `nesterov` false.
 * The same chain as `sgd({ momentum: 0.9 })`.
 *
 * @example
 * import { momentum } from 'gradstream';
 * const opt = momentum({ lr: 0.01, momentum: 0.9 });
 */
export function momentum(options: MomentumOptions = {}): GradientTransformation<OptState[]> {
  checkKnownOptions('momentum', options, ['lr', 'momentum', 'nesterov']);
  return sgd({ ...options, momentum: options.momentum ?? 0.9 }, 'momentum');
}
