import type { GradientTransformation, Hyper } from '../optimizer.js';
import { checkHyper, hyperValue } from './checkOption.js';

/** State of {@link scale}: none. */
export type ScaleState = Record<string, never>;

/**
 * Multiplies updates by a constant `factor` (any finite number; a live `hyperParam` cell is read
 * at every update). Unlike {@link scaleByLearningRate} it does not negate.
 *
 * @param name - the prefix of error paths.
 * @example
 * import { chain, scale, scaleByAdam } from 'gradstream';
 * const opt = chain(scaleByAdam(), scale(-0.001)); // Adam, lr 0.001
 */
export function scale(factor: Hyper, name = 'scale'): GradientTransformation<ScaleState> {
  const path = `${name}.factor`;
  checkHyper(path, factor, 'finite');
  return {
    init: () => ({}),
    update(updates) {
      const k = hyperValue(path, factor, 'finite');
      for (let i = 0; i < updates.length; i++) updates[i]! *= k;
    },
  };
}
