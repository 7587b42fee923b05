import type { Schedule } from '../optimizer.js';
import { checkNumber } from '../optimizers/checkOption.js';

/**
 * The same learning rate `lr` (≥ 0) at every step.
 *
 * @example
 * import { adam, constant } from 'gradstream';
 * const opt = adam({ lr: constant(0.001) });
 */
export function constant(lr: number): Schedule {
  checkNumber('constant.lr', lr, '≥ 0');
  return () => lr;
}
