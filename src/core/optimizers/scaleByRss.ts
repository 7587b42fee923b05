import type { GradientTransformation } from '../optimizer.js';
import { checkNumber } from './checkOption.js';
import { zerosLike } from '../params.js';

/** Options of {@link scaleByRss}; the defaults are Keras's and TensorFlow.js's. */
export interface ScaleByRssOptions {
  /** Starting value of the sum of squares, ≥ 0 (default 0.1). */
  readonly initialAccumulatorValue?: number;
  /** Added under the square root, > 0 (default 1e-7). */
  readonly epsilon?: number;
}

/** State of {@link scaleByRss}: the running sum of squared gradients. */
export interface ScaleByRssState {
  [key: string]: Float64Array;
  sumOfSquares: Float64Array;
}

/**
 * Rescales updates by the root of the sum of all past squared gradients (Adagrad, as in
 * TensorFlow.js and Keras): `s ← s + g²`, `u ← g / √(s + ε)`, with `s` starting at
 * `initialAccumulatorValue`.
 *
 * @param name - the prefix of error paths.
 * @example
 * import { chain, scaleByLearningRate, scaleByRss } from 'gradstream';
 * const adagrad = chain(scaleByRss({ initialAccumulatorValue: 0.1 }), scaleByLearningRate(0.001));
 */
export function scaleByRss(options: ScaleByRssOptions = {}, name = 'scaleByRss'): GradientTransformation<ScaleByRssState> {
  const initial = checkNumber(`${name}.initialAccumulatorValue`, options.initialAccumulatorValue ?? 0.1, '≥ 0');
  const eps = checkNumber(`${name}.epsilon`, options.epsilon ?? 1e-7, '> 0');
  return {
    init: (params) => ({ sumOfSquares: zerosLike(params.data).fill(initial) }),
    update(updates, state) {
      const s = state.sumOfSquares;
      for (let i = 0; i < updates.length; i++) {
        const g = updates[i]!;
        const a = s[i]! + g * g;
        s[i] = a;
        updates[i] = g / Math.sqrt(a + eps);
      }
    },
  };
}
