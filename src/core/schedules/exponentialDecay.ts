import type { Schedule } from '../optimizer.js';
import { checkBoolean, checkNumber, checkOptions } from '../optimizers/checkOption.js';

/** Options of {@link exponentialDecay} (Keras `ExponentialDecay`). */
export interface ExponentialDecayOptions {
  /** The learning rate at step 0, ≥ 0. */
  readonly lr: number;
  /** Steps per decay period, > 0. */
  readonly decaySteps: number;
  /** Factor per period, ≥ 0 (e.g. 0.96). */
  readonly decayRate: number;
  /** Decay in whole periods (`floor(step / decaySteps)`) (default false). */
  readonly staircase?: boolean;
}

/**
 * `lr · decayRate^(step / decaySteps)` (Keras `ExponentialDecay`); with `staircase` the exponent
 * is floored.
 *
 * @example
 * import { exponentialDecay, sgd } from 'gradstream';
 * const opt = sgd({ lr: exponentialDecay({ lr: 0.1, decaySteps: 100, decayRate: 0.5 }) });
 */
export function exponentialDecay(options: ExponentialDecayOptions): Schedule {
  checkOptions('exponentialDecay', options, ['lr', 'decaySteps', 'decayRate', 'staircase'], true);
  const lr = checkNumber('exponentialDecay.lr', options.lr, '≥ 0');
  const decaySteps = checkNumber('exponentialDecay.decaySteps', options.decaySteps, '> 0');
  const decayRate = checkNumber('exponentialDecay.decayRate', options.decayRate, '≥ 0');
  const staircase = checkBoolean('exponentialDecay.staircase', options.staircase ?? false);
  return (step) => {
    const p = step / decaySteps;
    return lr * decayRate ** (staircase ? Math.floor(p) : p);
  };
}
