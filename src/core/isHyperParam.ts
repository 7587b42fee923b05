/**
 * A live hyperparameter: a tiny mutable cell read by a transformation at every update. An app
 * (or an operator such as `bindHyperParam` or `reduceOnPlateau`) writes `value`; the next update
 * uses it. Plain data, no RxJS. `min` / `max` (inclusive) bound what {@link setHyperParam} accepts
 * from outside (a slider, a query string).
 */
export interface HyperParam {
  value: number;
  readonly min?: number;
  readonly max?: number;
}

/** True for a {@link HyperParam} cell (an object with a numeric `value`). */
export function isHyperParam(x: unknown): x is HyperParam {
  return typeof x === 'object' && x !== null && typeof (x as { value?: unknown }).value === 'number';
}
