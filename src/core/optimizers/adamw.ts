import { checkKnownOptions } from './checkOption.js';
import type { GradientTransformation, Hyper, LearningRate, OptState } from '../optimizer.js';
import { addDecayedWeights } from './addDecayedWeights.js';
import { scaleByAdam } from './scaleByAdam.js';
import { scaleByLearningRate } from './scaleByLearningRate.js';
import { withClipping, type ClipOptions } from './withClipping.js';

/** Options of {@link adamw}; the defaults are Keras's. */
export interface AdamwOptions extends ClipOptions {
  /** Learning rate, schedule or `hyperParam` cell (default 0.001). */
  readonly lr?: LearningRate;
  /** Decoupled weight decay, ≥ 0 (default 0.004); a cell is read at every update. */
  readonly weightDecay?: Hyper;
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
 * AdamW (Loshchilov & Hutter 2019) as in Keras, `chain(scaleByAdam, addDecayedWeights,
 * scaleByLearningRate)`: `params ← params − lr · (m̂ / (√v̂ + ε) + weightDecay · params)`, the
 * decay scaled by the learning rate but not by Adam's normalisation. `m̂`, `v̂` as in {@link adam}.
 * Defaults: `lr` 0.001, `weightDecay` 0.004, `beta1` 0.9, `beta2` 0.999, `epsilon` 1e-7,
 * `amsgrad` false.
 *
 * @example
 * import { adamw } from 'gradstream';
 * const opt = adamw({ lr: 0.001, weightDecay: 0.01 });
 */
export function adamw(options: AdamwOptions = {}): GradientTransformation<OptState[]> {
  checkKnownOptions('adamw', options, ['lr', 'weightDecay', 'beta1', 'beta2', 'epsilon', 'amsgrad']);
  const name = 'adamw';
  return withClipping(
    name,
    options,
    scaleByAdam(options, name),
    addDecayedWeights(options.weightDecay ?? 0.004, name),
    scaleByLearningRate(options.lr ?? 0.001, name),
  );
}
