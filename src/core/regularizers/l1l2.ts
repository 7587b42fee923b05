import { checkOptions } from '../optimizers/checkOption.js';
import type { Regularizer } from './regularizer.js';
import { weightPenalty } from './weightPenalty.js';

/** Options of {@link l1l2}. */
export interface L1L2Options {
  /** Weight of `Σ|w|` (default 0.01, as Keras' `l1_l2`). */
  readonly l1?: number;
  /** Weight of `Σw²` (default 0.01). */
  readonly l2?: number;
}

/**
 * Both weight penalties, `l1 · Σ|w| + l2 · Σw²` (Keras' `l1_l2`; "elastic net"), for a layer's
 * `kernelRegularizer`.
 *
 * @example
 * import { dense, l1l2, sequential } from 'gradstream';
 * const model = sequential([dense(20, 1, { kernelRegularizer: l1l2({ l1: 1e-4, l2: 1e-3 }) })]);
 */
export function l1l2(options: L1L2Options = {}): Regularizer {
  const o = checkOptions('l1l2', options, ['l1', 'l2']);
  return weightPenalty('l1l2', (o.l1 ?? 0.01) as number, (o.l2 ?? 0.01) as number);
}
