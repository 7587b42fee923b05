import { checkKnownOptions } from './checkOption.js';
import type { GradientTransformation, LearningRate, OptState } from '../optimizer.js';
import { adam } from './adam.js';
import type { ClipOptions } from './withClipping.js';

/** Options of {@link amsgrad}; the defaults are Keras's. */
export interface AmsgradOptions extends ClipOptions {
  /** Learning rate, schedule or `hyperParam` cell (default 0.001). */
  readonly lr?: LearningRate;
  /** Decay of the first moment, in [0, 1) (default 0.9). */
  readonly beta1?: number;
  /** Decay of the second moment, in [0, 1) (default 0.999). */
  readonly beta2?: number;
  /** Added to `√v̂`, > 0 (default 1e-7). */
  readonly epsilon?: number;
}

/**
 * AMSGrad (Reddi et al. 2018): Adam dividing by the running maximum of the second moment,
 * `vmax ← max(vmax, v)`, `params ← params − lr · m̂ / (√(vmax/(1−β₂ᵗ)) + ε)` (Keras's and
 * PyTorch's form). Defaults: `lr` 0.001, `beta1` 0.9, `beta2` 0.999, `epsilon` 1e-7.
 *
 * @example
 * import { amsgrad } from 'gradstream';
 * const opt = amsgrad({ lr: 0.01 });
 */
export function amsgrad(options: AmsgradOptions = {}): GradientTransformation<OptState[]> {
  checkKnownOptions('amsgrad', options, ['lr', 'beta1', 'beta2', 'epsilon']);
  return adam({ ...options, amsgrad: true }, 'amsgrad');
}
