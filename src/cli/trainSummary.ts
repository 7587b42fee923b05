import type { TrainConfig } from '../schemas/trainConfig.js';
import { terminalCurve } from './terminalCurve.js';

/** What the summary reports. */
export interface SummaryFields {
  readonly reason: string;
  readonly step: number;
  /** The step the run started from (0, or the resumed checkpoint's). */
  readonly firstStep: number;
  readonly loss: number | undefined;
  /** The mean loss of the last whole epoch (mini-batch runs). */
  readonly epochLoss?: number | undefined;
  readonly valLoss: number | undefined;
  readonly accuracy: number | undefined;
  readonly valAccuracy: number | undefined;
  readonly elapsedMs: number;
  readonly checkpoint: string | undefined;
  /** The loss curve's points. */
  readonly steps: Float64Array;
  readonly losses: Float64Array;
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function formatRate(perSecond: number): string {
  return perSecond >= 1e6
    ? `${(perSecond / 1e6).toFixed(2)} M`
    : perSecond >= 1e4
      ? `${(perSecond / 1e3).toFixed(1)} k`
      : String(Math.round(perSecond));
}

/** Why the run stopped, in words, after the reason. */
export function describeReason(reason: string, stop: TrainConfig['stop']): string {
  const watched = stop?.monitor === 'valLoss' ? 'validation loss' : stop?.monitor === 'epochLoss' ? 'epoch mean loss' : 'loss';
  switch (reason) {
    case 'threshold':
      return ` (${watched} below ${String(stop?.lossBelow)})`;
    case 'plateau':
      return ` (no ${watched} improvement within stop.patience)`;
    case 'diverged':
      return ' (the loss became non-finite or exceeded stop.divergence)';
    case 'maxSteps':
      return ' (step limit reached)';
    case 'timeout':
      return ` (stop.timeout: ${String(stop?.timeout)} s)`;
    case 'dataEnd':
    case 'maxEpochs':
      return ' (all epochs done)';
    case 'aborted':
      return ' (interrupted)';
    default:
      return '';
  }
}

/** The one-line summary of `--quiet`: `threshold: step 6, loss 2.38…`. */
export function summaryLine(s: SummaryFields): string {
  let line = `${s.reason}: step ${s.step}, loss ${String(s.loss)}`;
  if (s.epochLoss !== undefined) line += `, epoch loss ${String(s.epochLoss)}`;
  if (s.valLoss !== undefined) line += `, val loss ${String(s.valLoss)}`;
  if (s.accuracy !== undefined)
    line += `, accuracy ${s.accuracy.toFixed(4)}${s.valAccuracy === undefined ? '' : ` (val ${s.valAccuracy.toFixed(4)})`}`;
  return line;
}

/** The summary after a run: stop reason, steps, time, losses, accuracy, checkpoint, and the loss curve. */
export function summaryLines(s: SummaryFields, stop: TrainConfig['stop']): string[] {
  const updates = s.step - s.firstStep;
  const rate = updates > 0 && s.elapsedMs > 0 ? `, ${formatRate((updates * 1000) / s.elapsedMs)} steps/s` : '';
  const lines = [
    '',
    `stopped   ${s.reason}${describeReason(s.reason, stop)}`,
    `step      ${s.step} (${updates} updates${s.firstStep > 0 ? ` after resuming at step ${s.firstStep}` : ''} in ${formatSeconds(s.elapsedMs)}${rate})`,
    `loss      ${String(s.loss)}`,
  ];
  if (s.epochLoss !== undefined) lines.push(`epoch     mean loss ${String(s.epochLoss)} (the last whole epoch)`);
  if (s.valLoss !== undefined) lines.push(`val loss  ${String(s.valLoss)}`);
  if (s.accuracy !== undefined)
    lines.push(`accuracy  ${s.accuracy.toFixed(4)}${s.valAccuracy === undefined ? '' : ` (validation ${s.valAccuracy.toFixed(4)})`}`);
  if (s.checkpoint !== undefined) lines.push(`saved     ${s.checkpoint}`);
  const curve = terminalCurve(s.steps, s.losses);
  if (curve.length > 0) lines.push('', ...curve.map((l) => `  ${l}`));
  return lines;
}
