import type { GradientTransformation } from '../optimizer.js';
import { checkBoolean, checkNumber } from './checkOption.js';
import { zerosLike } from '../params.js';

/** Options of {@link scaleByRms}; the defaults are Keras's and TensorFlow.js's. */
export interface ScaleByRmsOptions {
  /** Decay of the mean square, in [0, 1) (default 0.9). */
  readonly rho?: number;
  /** Added under the square root, > 0 (default 1e-7). */
  readonly epsilon?: number;
  /** Divide by the centered second moment (an estimate of the variance) (default false). */
  readonly centered?: boolean;
}

/** State of {@link scaleByRms}: the mean square and (centered only) the mean gradient. */
export interface ScaleByRmsState {
  [key: string]: Float64Array | null;
  nu: Float64Array;
  /** `null` unless `centered`. */
  mu: Float64Array | null;
}

/**
 * Rescales updates by the root of a decaying mean square of past gradients (RMSprop, as in
 * TensorFlow.js and Keras): `ν ← ρν + (1−ρ)g²`, `u ← g / √(ν + ε)`; centered:
 * `μ ← ρμ + (1−ρ)g`, `u ← g / √(ν − μ² + ε)`.
 *
 * (TensorFlow.js 4.22 computes the centered denominator as `√(ν − (μ² + ε))`, subtracting ε, which
 * turns NaN when `ν − μ²` falls below ε; gradstream follows TensorFlow and Keras, `+ ε`.)
 *
 * @param name - the prefix of error paths.
 * @example
 * import { chain, scaleByLearningRate, scaleByRms } from 'gradstream';
 * const rmsprop = chain(scaleByRms({ rho: 0.9 }), scaleByLearningRate(0.001));
 */
export function scaleByRms(options: ScaleByRmsOptions = {}, name = 'scaleByRms'): GradientTransformation<ScaleByRmsState> {
  const rho = checkNumber(`${name}.rho`, options.rho ?? 0.9, '[0, 1)');
  const eps = checkNumber(`${name}.epsilon`, options.epsilon ?? 1e-7, '> 0');
  const centered = checkBoolean(`${name}.centered`, options.centered ?? false);
  return {
    init: (params) => {
      const n = params.data.length;
      return { nu: zerosLike(params.data, n), mu: centered ? zerosLike(params.data, n) : null };
    },
    update(updates, state) {
      const { nu, mu } = state;
      for (let i = 0; i < updates.length; i++) {
        const g = updates[i]!;
        const v = nu[i]! * rho + g * g * (1 - rho);
        nu[i] = v;
        let d = v;
        if (mu !== null) {
          const m = mu[i]! * rho + g * (1 - rho);
          mu[i] = m;
          d = v - m * m;
        }
        updates[i] = g / Math.sqrt(d + eps);
      }
    },
  };
}
