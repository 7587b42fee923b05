/** The property of a `learningRate` function made by {@link constantRate}: the rate it always returns. */
const CONSTANT_RATE: unique symbol = Symbol('gradstream.constantRate');

/** A `learningRate` function that always returns `rate`, marked so that {@link constantRateOf} can read it once. */
export type ConstantRate = (() => number) & { readonly [CONSTANT_RATE]: number };

/**
 * A `learningRate` for a transformation whose rate never changes: returns `rate`, and says so —
 * `update` then sets each record's `lr` from {@link constantRateOf} once per run instead of
 * calling the optimizer every step (a call through a closure made per optimizer costs more than
 * the rest of `update`'s bookkeeping on a small model).
 *
 * For example (internal, not exported):
 * const learningRate = constantRate(0.01);
 * learningRate(); // 0.01
 * constantRateOf(learningRate); // 0.01
 */
export function constantRate(rate: number): ConstantRate {
  return Object.assign(() => rate, { [CONSTANT_RATE]: rate });
}

/**
 * The rate of a `learningRate` made by {@link constantRate}, else `undefined` (schedules, live
 * cells, any other function: their rate is asked at every update).
 */
export function constantRateOf(learningRate: unknown): number | undefined {
  if (typeof learningRate !== 'function') return undefined;
  const rate: unknown = (learningRate as Partial<ConstantRate>)[CONSTANT_RATE];
  return typeof rate === 'number' ? rate : undefined;
}
