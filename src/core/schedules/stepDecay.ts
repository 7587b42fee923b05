import type { Schedule } from '../optimizer.js';
import { checkInteger, checkNumber, checkOptions } from '../optimizers/checkOption.js';

/** Options of {@link stepDecay} (PyTorch `StepLR`). */
export interface StepDecayOptions {
  /** The learning rate at step 0, ≥ 0. */
  readonly lr: number;
  /** Steps between drops, an integer ≥ 1. */
  readonly stepSize: number;
  /** Factor of each drop, ≥ 0 (default 0.1). */
  readonly factor?: number;
}

/**
 * `lr · factor^floor(step / stepSize)`: the learning rate drops by `factor` every `stepSize` steps.
 *
 * @example
 * import { sgd, stepDecay } from 'gradstream';
 * const opt = sgd({ lr: stepDecay({ lr: 0.1, stepSize: 1000, factor: 0.5 }) });
 */
export function stepDecay(options: StepDecayOptions): Schedule {
  checkOptions('stepDecay', options, ['lr', 'stepSize', 'factor'], true);
  const lr = checkNumber('stepDecay.lr', options.lr, '≥ 0');
  const stepSize = checkInteger('stepDecay.stepSize', options.stepSize, 1);
  const factor = checkNumber('stepDecay.factor', options.factor ?? 0.1, '≥ 0');
  return (step) => lr * factor ** Math.floor(step / stepSize);
}
