import { GradstreamError } from './errors.js';

/**
 * A live hyperparameter: a tiny mutable cell read by a transformation at every update. An app
 * (or an operator such as `bindHyperParam` or `reduceOnPlateau`) writes `value`; the next update
 * uses it. Plain data, no RxJS.
 */
export interface HyperParam {
  value: number;
}

/**
 * A cell holding `initial` (a finite number).
 *
 * @example
 * import { adam, hyperParam } from 'gradstream';
 * const lr = hyperParam(0.01);
 * const opt = adam({ lr });
 * lr.value = 0.001; // the next update uses 0.001
 */
export function hyperParam(initial: number): HyperParam {
  if (typeof initial !== 'number' || !Number.isFinite(initial)) {
    throw new GradstreamError({ code: 'invalid_config', path: 'hyperParam', expected: 'a finite number', received: String(initial) });
  }
  return { value: initial };
}

/** True for a {@link HyperParam} cell (an object with a numeric `value`). */
export function isHyperParam(x: unknown): x is HyperParam {
  return typeof x === 'object' && x !== null && typeof (x as { value?: unknown }).value === 'number';
}
