import type { GradientTransformation, Hyper } from '../optimizer.js';
import { checkBoolean, checkHyper, hyperValue } from './checkOption.js';
import { zerosLike } from '../params.js';

/** Options of {@link traceMomentum}. */
export interface TraceMomentumOptions {
  /** Decay of the trace, in [0, 1] (default 0.9); a `hyperParam` cell is read at every update. */
  readonly momentum?: Hyper;
  /** Nesterov momentum (default false). */
  readonly nesterov?: boolean;
}

/** State of {@link traceMomentum}: the trace (velocity), one value per parameter. */
export interface TraceMomentumState {
  [key: string]: Float64Array;
  trace: Float64Array;
}

/**
 * Momentum as in TensorFlow.js `tf.train.momentum` and Optax `trace`:
 * `trace ← momentum · trace + u`, then `u ← trace` (heavy ball) or
 * `u ← u + momentum · trace` (Nesterov). Put it before {@link scaleByLearningRate} to get tfjs's
 * `params ← params − lr · trace`.
 *
 * @param name - the prefix of error paths.
 * @example
 * import { chain, scaleByLearningRate, traceMomentum } from 'gradstream';
 * const opt = chain(traceMomentum({ momentum: 0.9, nesterov: true }), scaleByLearningRate(0.01));
 */
export function traceMomentum(options: TraceMomentumOptions = {}, name = 'traceMomentum'): GradientTransformation<TraceMomentumState> {
  const path = `${name}.momentum`;
  const momentum = checkHyper(path, options.momentum ?? 0.9, '[0, 1]');
  const nesterov = checkBoolean(`${name}.nesterov`, options.nesterov ?? false);
  return {
    init: (params) => ({ trace: zerosLike(params.data) }),
    update(updates, state) {
      const m = hyperValue(path, momentum, '[0, 1]');
      const t = state.trace;
      if (nesterov) {
        for (let i = 0; i < updates.length; i++) {
          const g = updates[i]!;
          const v = m * t[i]! + g;
          t[i] = v;
          updates[i] = g + v * m;
        }
      } else {
        for (let i = 0; i < updates.length; i++) {
          const v = m * t[i]! + updates[i]!;
          t[i] = v;
          updates[i] = v;
        }
      }
    },
  };
}
