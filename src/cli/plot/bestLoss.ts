import type { LossLog } from '../readLossLog.js';

/** The lowest loss of a log: of its epoch means when it has them, else of its logged steps. */
export interface BestLoss {
  /** `'epochLoss'`: an epoch mean (at the epoch's last step); `'loss'`: one step's mini-batch loss. */
  readonly monitor: 'epochLoss' | 'loss';
  readonly value: number;
  readonly step: number;
  /** The epoch, when the log names it (NaN otherwise). */
  readonly epoch: number;
}

/** Whether a log's lines carry epoch means (`epochLoss`, on each epoch's last step). */
export function hasEpochMeans(log: LossLog): boolean {
  for (let i = 0; i < log.length; i++) if (Number.isFinite(log.epochLoss[i]!)) return true;
  return false;
}

/**
 * The best (lowest finite) loss of a log — the best epoch mean when the log has epoch means, as
 * Keras reports, not the luckiest mini-batch — or undefined when it has no finite loss. The first
 * of equal values wins.
 */
export function bestLoss(log: LossLog): BestLoss | undefined {
  const monitor = hasEpochMeans(log) ? 'epochLoss' : 'loss';
  const values = monitor === 'epochLoss' ? log.epochLoss : log.loss;
  let at = -1;
  for (let i = 0; i < log.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v) && (at < 0 || v < values[at]!)) at = i;
  }
  if (at < 0) return undefined;
  return { monitor, value: values[at]!, step: log.step[at]!, epoch: log.epoch[at]! };
}

/** The last epoch mean of a log (NaN when it has none). */
export function finalEpochLoss(log: LossLog): number {
  for (let i = log.length - 1; i >= 0; i--) if (Number.isFinite(log.epochLoss[i]!)) return log.epochLoss[i]!;
  return Number.NaN;
}

/**
 * "best epoch loss 0.01234 at epoch 12 (step 155)" / "best 2.381 at step 6": the best figure as
 * the plot reports it, the value to 4 significant digits (`exact`: all of them).
 */
export function describeBest(b: BestLoss, exact = false): string {
  const value = exact ? String(b.value) : b.value.toPrecision(4);
  const where = Number.isFinite(b.epoch)
    ? `epoch ${b.epoch.toLocaleString('en-US')} (step ${b.step.toLocaleString('en-US')})`
    : `step ${b.step.toLocaleString('en-US')}`;
  return b.monitor === 'epochLoss' ? `best epoch loss ${value} at ${where}` : `best ${value} at step ${b.step.toLocaleString('en-US')}`;
}
