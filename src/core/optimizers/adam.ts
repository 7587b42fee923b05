import { checkKnownOptions } from './checkOption.js';
import type { GradientTransformation, LearningRate, OptState } from '../optimizer.js';
import { fusable } from './fused/fusedForm.js';
import { scaleByAdam } from './scaleByAdam.js';
import { scaleByLearningRate } from './scaleByLearningRate.js';
import { withClipping, type ClipOptions } from './withClipping.js';

/** Options of {@link adam}; the defaults are Keras's and TensorFlow.js's. */
export interface AdamOptions extends ClipOptions {
  /** Learning rate, schedule or `hyperParam` cell (default 0.001). */
  readonly lr?: LearningRate;
  /** Decay of the first moment, in [0, 1) (default 0.9). */
  readonly beta1?: number;
  /** Decay of the second moment, in [0, 1) (default 0.999). */
  readonly beta2?: number;
  /** Added to `√v̂`, > 0 (default 1e-7). */
  readonly epsilon?: number;
  /** AMSGrad variant (default false). */
  readonly amsgrad?: boolean;
}

/**
 * Adam (Kingma & Ba 2015) in TensorFlow.js's form, `chain(scaleByAdam, scaleByLearningRate)`:
 * `params ← params − lr · m̂ / (√v̂ + ε)`.
 * Defaults: `lr` 0.001, `beta1` 0.9, `beta2` 0.999, `epsilon` 1e-7, `amsgrad` false.
 *
 * @param name - the prefix of error paths.
 * @example
 * import { adam } from 'gradstream';
 * const opt = adam({ lr: 0.1, epsilon: 1e-7 });
 */
export function adam(options: AdamOptions = {}, name = 'adam'): GradientTransformation<OptState[]> {
  checkKnownOptions(name, options, ['lr', 'beta1', 'beta2', 'epsilon', 'amsgrad']);
  const moments = scaleByAdam(options, name);
  const lr = options.lr ?? 0.001;
  const rate = scaleByLearningRate(lr, name);
  const transform = withClipping(name, options, moments, rate);
  if (options.clipNorm !== undefined || options.clipValue !== undefined) return transform;
  // the one-pass kernel computes the same update (src/core/optimizers/fused)
  return fusable(transform, {
    kind: 'adam',
    rate: (state) => rate.learningRate!(state)!,
    constantRate: typeof lr === 'number' ? lr : undefined,
    learningRate: transform.learningRate,
    beta1: options.beta1 ?? 0.9,
    beta2: options.beta2 ?? 0.999,
    epsilon: options.epsilon ?? 1e-7,
  });
}
