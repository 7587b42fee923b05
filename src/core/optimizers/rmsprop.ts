import type { GradientTransformation, Hyper, LearningRate, OptState } from '../optimizer.js';
import { checkHyper, checkKnownOptions } from './checkOption.js';
import { scaleByLearningRate } from './scaleByLearningRate.js';
import { scaleByRms } from './scaleByRms.js';
import { traceMomentum } from './traceMomentum.js';
import { withClipping, type ClipOptions } from './withClipping.js';

/** Options of {@link rmsprop}; the defaults are Keras's. */
export interface RmspropOptions extends ClipOptions {
  /** Learning rate, schedule or `hyperParam` cell (default 0.001). */
  readonly lr?: LearningRate;
  /** Decay of the mean square, in [0, 1) (default 0.9). */
  readonly rho?: number;
  /** Momentum in [0, 1] (default 0); a cell is read at every update. */
  readonly momentum?: Hyper;
  /** Added under the square root, > 0 (default 1e-7). */
  readonly epsilon?: number;
  /** Divide by the centered second moment (default false). */
  readonly centered?: boolean;
}

/**
 * RMSprop as in TensorFlow.js and Keras, `chain(scaleByRms, scaleByLearningRate, traceMomentum)`:
 * `ν ← ρν + (1−ρ)g²`, `a ← momentum · a + lr · g / √(ν + ε)`, `params ← params − a`;
 * centered: `μ ← ρμ + (1−ρ)g` and `√(ν − μ² + ε)`.
 * Defaults: `lr` 0.001, `rho` 0.9, `momentum` 0, `epsilon` 1e-7, `centered` false.
 *
 * @example
 * import { rmsprop } from 'gradstream';
 * const opt = rmsprop({ lr: 0.01, rho: 0.9, momentum: 0.9, centered: true });
 */
export function rmsprop(options: RmspropOptions = {}): GradientTransformation<OptState[]> {
  checkKnownOptions('rmsprop', options, ['lr', 'rho', 'momentum', 'epsilon', 'centered']);
  const name = 'rmsprop';
  const momentum = checkHyper(`${name}.momentum`, options.momentum ?? 0, '[0, 1]');
  const rms = scaleByRms(options, name);
  const lr = scaleByLearningRate(options.lr ?? 0.001, name);
  if (momentum === 0) return withClipping(name, options, rms, lr);
  return withClipping(name, options, rms, lr, traceMomentum({ momentum }, name));
}
