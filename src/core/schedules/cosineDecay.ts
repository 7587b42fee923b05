import type { Schedule } from '../optimizer.js';
import { checkInteger, checkNumber, checkOptions } from '../optimizers/checkOption.js';

/** Options of {@link cosineDecay} (Keras `CosineDecay` with warmup). */
export interface CosineDecayOptions {
  /** The peak learning rate: reached at the end of the warmup, where the decay starts; ≥ 0. */
  readonly lr: number;
  /** Length of the cosine decay after the warmup, an integer ≥ 1. */
  readonly decaySteps: number;
  /** The final rate as a fraction of `lr`, in [0, 1] (default 0). */
  readonly alpha?: number;
  /** Length of the linear warmup, an integer ≥ 0 (default 0: no warmup). */
  readonly warmupSteps?: number;
  /** The rate at step 0 when warming up, ≥ 0 (default 0). */
  readonly initialLr?: number;
}

/**
 * Linear warmup from `initialLr` to `lr` over `warmupSteps`, then cosine decay from `lr` to
 * `alpha · lr` over `decaySteps`, then constant:
 * `lr · ((1 − alpha) · ½(1 + cos(π · min(s, decaySteps) / decaySteps)) + alpha)` with
 * `s = step − warmupSteps` (Keras `CosineDecay`; Optax `warmup_cosine_decay_schedule`).
 *
 * @example
 * import { adam, cosineDecay } from 'gradstream';
 * const opt = adam({ lr: cosineDecay({ lr: 0.001, decaySteps: 10_000, warmupSteps: 500 }) });
 */
export function cosineDecay(options: CosineDecayOptions): Schedule {
  checkOptions('cosineDecay', options, ['lr', 'decaySteps', 'alpha', 'warmupSteps', 'initialLr'], true);
  const lr = checkNumber('cosineDecay.lr', options.lr, '≥ 0');
  const decaySteps = checkInteger('cosineDecay.decaySteps', options.decaySteps, 1);
  const alpha = checkNumber('cosineDecay.alpha', options.alpha ?? 0, '[0, 1]');
  const warmupSteps = checkInteger('cosineDecay.warmupSteps', options.warmupSteps ?? 0, 0);
  const initialLr = checkNumber('cosineDecay.initialLr', options.initialLr ?? 0, '≥ 0');
  return (step) => {
    if (step < warmupSteps) return initialLr + ((lr - initialLr) * step) / warmupSteps;
    const s = Math.min(step - warmupSteps, decaySteps);
    return lr * ((1 - alpha) * 0.5 * (1 + Math.cos((Math.PI * s) / decaySteps)) + alpha);
  };
}
