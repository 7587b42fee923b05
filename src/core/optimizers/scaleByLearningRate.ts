import { GradstreamError } from '../errors.js';
import type { GradientTransformation, LearningRate } from '../optimizer.js';

/** State of {@link scaleByLearningRate}: how many updates it has scaled. */
export interface ScaleByLearningRateState {
  [key: string]: number;
  count: number;
}

/**
 * Multiplies updates by `−lr` (so that adding them descends), where `lr` is a constant or a
 * schedule of the update count.
 *
 * @example
 * import { chain, scaleByLearningRate } from 'gradstream';
 * const sgd = chain(scaleByLearningRate((step) => 0.1 * 0.5 ** step));
 */
export function scaleByLearningRate(lr: LearningRate): GradientTransformation<ScaleByLearningRateState> {
  const rate = typeof lr === 'number' ? (checkLr(lr), () => lr) : lr;
  return {
    init: () => ({ count: 0 }),
    update(updates, state) {
      const k = -checkLr(rate(state.count));
      for (let i = 0; i < updates.length; i++) updates[i]! *= k;
      state.count += 1;
    },
    learningRate: (state) => rate(state.count),
  };
}

function checkLr(lr: number): number {
  if (!(lr >= 0) || !Number.isFinite(lr)) {
    throw new GradstreamError({ code: 'invalid_value', path: 'lr', expected: 'a finite number ≥ 0', received: String(lr) });
  }
  return lr;
}
