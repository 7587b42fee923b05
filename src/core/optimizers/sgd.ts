import type { GradientTransformation, Hyper, LearningRate, OptState } from '../optimizer.js';
import { checkBoolean, checkHyper, checkKnownOptions } from './checkOption.js';
import { fusable } from './fused/fusedForm.js';
import { scaleByLearningRate, type ScaleByLearningRateState } from './scaleByLearningRate.js';
import { traceMomentum } from './traceMomentum.js';
import { withClipping, type ClipOptions } from './withClipping.js';

/** Options of {@link sgd}; the defaults are Keras's. */
export interface SgdOptions extends ClipOptions {
  /** Learning rate, schedule or `hyperParam` cell (default 0.01). */
  readonly lr?: LearningRate;
  /** Momentum in [0, 1] (default 0: plain gradient descent); a cell is read at every update. */
  readonly momentum?: Hyper;
  /** Nesterov momentum (default false). */
  readonly nesterov?: boolean;
}

/**
 * Stochastic gradient descent, `chain(traceMomentum, scaleByLearningRate)`: with momentum 0,
 * `params ← params − lr · g`; otherwise TensorFlow.js's momentum rule `a ← momentum · a + g`,
 * `params ← params − lr · a` (Nesterov: `params ← params − lr · (g + momentum · a)`).
 * Defaults: `lr` 0.01, `momentum` 0, `nesterov` false (Keras `SGD`). With a constant `lr` this is
 * Keras's rule too; with a changing one the whole velocity is scaled by the current `lr`, as in
 * TensorFlow.js and Optax.
 *
 * @example
 * import { sgd } from 'gradstream';
 * const opt = sgd({ lr: 0.01, momentum: 0.9, nesterov: true });
 */
export function sgd(options: SgdOptions = {}, name = 'sgd'): GradientTransformation<OptState[]> {
  checkKnownOptions(name, options, ['lr', 'momentum', 'nesterov']);
  const momentum = checkHyper(`${name}.momentum`, options.momentum ?? 0, '[0, 1]');
  const nesterov = checkBoolean(`${name}.nesterov`, options.nesterov ?? false);
  const lrOption = options.lr ?? 0.01;
  const lr = scaleByLearningRate(lrOption, name);
  if (momentum === 0) {
    const transform = withClipping(name, options, lr);
    if (options.clipNorm !== undefined || options.clipValue !== undefined) return transform;
    // the rate read straight from the one transform's state (not through chain's loop); the
    // one-pass kernel computes the same update (src/core/optimizers/fused)
    const rate = lr.learningRate!;
    const learningRate = (state: OptState[]): number => rate(state[0] as ScaleByLearningRateState)!;
    return fusable(
      { ...transform, learningRate },
      { kind: 'sgd', rate: (state) => rate(state)!, constantRate: typeof lrOption === 'number' ? lrOption : undefined, learningRate },
    );
  }
  return withClipping(name, options, traceMomentum({ momentum, nesterov }, name), lr);
}
