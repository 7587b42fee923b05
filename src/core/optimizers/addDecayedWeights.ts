import type { GradientTransformation, Hyper } from '../optimizer.js';
import { checkHyper, hyperValue } from './checkOption.js';

/** State of {@link addDecayedWeights}: none. */
export type AddDecayedWeightsState = Record<string, never>;

/**
 * Decoupled weight decay (Loshchilov & Hutter): `u ← u + weightDecay · params`. Put it after the
 * rescaling transform and before {@link scaleByLearningRate}, so the decay is scaled by the
 * learning rate but not by Adam's normalisation (as Keras AdamW and Optax `adamw` do).
 * `weightDecay` is ≥ 0; a live `hyperParam` cell is read at every update.
 *
 * @param name - the prefix of error paths.
 * @example
 * import { addDecayedWeights, chain, scaleByAdam, scaleByLearningRate } from 'gradstream';
 * const adamw = chain(scaleByAdam(), addDecayedWeights(0.004), scaleByLearningRate(0.001));
 */
export function addDecayedWeights(weightDecay: Hyper, name = 'addDecayedWeights'): GradientTransformation<AddDecayedWeightsState> {
  const path = `${name}.weightDecay`;
  checkHyper(path, weightDecay, '≥ 0');
  return {
    init: () => ({}),
    update(updates, _state, params) {
      const wd = hyperValue(path, weightDecay, '≥ 0');
      if (wd === 0) return;
      const p = params.data;
      for (let i = 0; i < updates.length; i++) updates[i]! += wd * p[i]!;
    },
  };
}
