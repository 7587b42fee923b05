import type { GradientTransformation, OptState } from '../optimizer.js';

/**
 * Applies transformations in order; the state is the array of their states.
 *
 * @example
 * import { chain, scaleByLearningRate } from 'gradstream';
 * const opt = chain(scaleByLearningRate(0.01));
 */
export function chain(...transforms: readonly GradientTransformation[]): GradientTransformation<OptState[]> {
  const ts = transforms;
  return {
    init: (params) => ts.map((t) => t.init(params)),
    update(updates, state, params) {
      for (let i = 0; i < ts.length; i++) ts[i]!.update(updates, state[i]!, params);
    },
    learningRate(state) {
      for (let i = 0; i < ts.length; i++) {
        const lr = ts[i]!.learningRate?.(state[i]!);
        if (lr !== undefined) return lr;
      }
      return undefined;
    },
  };
}
