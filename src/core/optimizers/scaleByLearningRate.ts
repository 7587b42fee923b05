import type { GradientTransformation, LearningRate } from '../optimizer.js';
import { checkRate, rateAt } from './checkOption.js';

/** State of {@link scaleByLearningRate}: how many updates it has scaled (a schedule's `step`). */
export interface ScaleByLearningRateState {
  [key: string]: number;
  count: number;
}

/**
 * Multiplies updates by `−lr` (so that adding them descends). `lr` is a constant, a schedule of
 * the update count (`lr(0)` for the first update) or a live `hyperParam` cell (its value at the
 * update). Reports that rate through `learningRate(state)`. Errors (a `GradstreamError` naming
 * `<name>.lr`) on a negative or non-finite constant at construction, or on such a value from a
 * schedule or cell at the update.
 *
 * @param name - the prefix of error paths (a named optimizer passes its own name).
 * @example
 * import { chain, scaleByLearningRate } from 'gradstream';
 * const sgd = chain(scaleByLearningRate((step) => 0.1 * 0.5 ** step));
 */
export function scaleByLearningRate(lr: LearningRate, name = 'scaleByLearningRate'): GradientTransformation<ScaleByLearningRateState> {
  const path = `${name}.lr`;
  checkRate(path, lr);
  return {
    init: () => ({ count: 0 }),
    update(updates, state) {
      const k = -rateAt(path, lr, state.count);
      for (let i = 0; i < updates.length; i++) updates[i]! *= k;
      state.count += 1;
    },
    learningRate: (state) => rateAt(path, lr, state.count),
  };
}
