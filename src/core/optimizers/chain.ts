import { GradstreamError, describeTyped } from '../errors.js';
import type { GradientTransformation, OptState } from '../optimizer.js';

/**
 * Applies transformations in order; the state is the array of their states. Throws a
 * `GradstreamError` when an argument is not a transformation.
 *
 * @example
 * import { chain, scaleByLearningRate } from 'gradstream';
 * const opt = chain(scaleByLearningRate(0.01));
 */
export function chain(...transforms: readonly GradientTransformation[]): GradientTransformation<OptState[]> {
  const ts = transforms;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i] as Partial<GradientTransformation> | null | undefined;
    if (typeof t !== 'object' || t === null || typeof t.init !== 'function' || typeof t.update !== 'function') {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `chain(transforms)[${i}]`,
        expected: 'a gradient transformation { init, update } (scaleByAdam(), clipByGlobalNorm(1), sgd(), …)',
        received: describeTyped(t),
      });
    }
  }
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
