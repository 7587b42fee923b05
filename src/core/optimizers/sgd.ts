import type { GradientTransformation, Hyper, LearningRate, OptState } from '../optimizer.js';
import { checkBoolean, checkHyper, checkKnownOptions } from './checkOption.js';
import { constantRate } from './constantRate.js';
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
  const lr = scaleByLearningRate(options.lr ?? 0.01, name);
  if (momentum === 0) {
    const transform = withClipping(name, options, lr);
    if (options.clipNorm !== undefined || options.clipValue !== undefined) return transform;
    // The rate read straight from the one transform's state (not through chain's loop); a
    // constant rate is marked as such (`update` then reads it once instead of every step).
    const rate = lr.learningRate!;
    const constant = options.lr ?? 0.01;
    const fixed = typeof constant === 'number';
    return {
      ...transform,
      learningRate: fixed ? constantRate(constant) : (state) => rate(state[0] as ScaleByLearningRateState),
      // `params += −lr · g` in one pass: the same two roundings as scaling then adding.
      fusedApply(grads, state, params) {
        if (params.layout.trainableSize !== params.layout.size) return false;
        const rateState = state[0] as ScaleByLearningRateState;
        const k = fixed ? -constant : -rate(rateState)!;
        const p = params.data;
        const n = p.length;
        let i = 0;
        // four per iteration: a fifth of the loop's checks on small models (the lesson's 16 weights)
        for (; i + 3 < n; i += 4) {
          p[i]! += grads[i]! * k;
          p[i + 1]! += grads[i + 1]! * k;
          p[i + 2]! += grads[i + 2]! * k;
          p[i + 3]! += grads[i + 3]! * k;
        }
        for (; i < n; i++) p[i]! += grads[i]! * k;
        rateState.count += 1;
        return true;
      },
      // The same pass, split over the worker threads of `gradient(…, { workers })`.
      sliceKernel: {
        kernel: 'sgd',
        buffers: 0,
        buffer: () => new Float64Array(0),
        setBuffer: () => undefined,
        begin: (state, params, out) => {
          if (params.layout.trainableSize !== params.layout.size || !(params.data instanceof Float64Array)) return false;
          const rateState = state[0] as ScaleByLearningRateState;
          out[0] = -rate(rateState)!;
          rateState.count += 1;
          return true;
        },
      },
    };
  }
  return withClipping(name, options, traceMomentum({ momentum, nesterov }, name), lr);
}
