import { describe, expect, it } from 'vitest';
import { describeReason, summaryLine, summaryLines } from '../../src/cli/trainSummary.js';

const fields = {
  reason: 'threshold',
  step: 6,
  firstStep: 0,
  loss: 2.381266365508548,
  valLoss: undefined,
  accuracy: undefined,
  valAccuracy: undefined,
  elapsedMs: 1500,
  checkpoint: undefined,
  steps: new Float64Array([0, 6]),
  losses: new Float64Array([16.74, 2.38]),
};

describe('trainSummary', () => {
  it('says why the run stopped', () => {
    expect(describeReason('threshold', { lossBelow: 2.96 })).toBe(' (loss below 2.96)');
    expect(describeReason('threshold', { lossBelow: 0.1, monitor: 'valLoss' })).toBe(' (validation loss below 0.1)');
    expect(describeReason('plateau', { patience: 3, monitor: 'valLoss' })).toBe(' (no validation loss improvement within stop.patience)');
    expect(describeReason('timeout', { timeout: 60 })).toBe(' (stop.timeout: 60 s)');
    expect(describeReason('diverged', undefined)).toBe(' (the loss became non-finite or exceeded stop.divergence)');
    expect(describeReason('maxEpochs', undefined)).toBe(' (all epochs done)');
    expect(describeReason('stopped', undefined)).toBe('');
  });

  it('prints one line, or the summary with the curve', () => {
    expect(summaryLine({ ...fields, valLoss: 0.5, accuracy: 1, valAccuracy: 0.75 })).toBe(
      'threshold: step 6, loss 2.381266365508548, val loss 0.5, accuracy 1.0000 (val 0.7500)',
    );
    const lines = summaryLines(
      { ...fields, firstStep: 2, valLoss: 0.5, accuracy: 1, valAccuracy: 0.75, checkpoint: 'ck/last.json' },
      { lossBelow: 2.96 },
    );
    expect(lines.slice(0, 7)).toEqual([
      '',
      'stopped   threshold (loss below 2.96)',
      'step      6 (4 updates after resuming at step 2 in 1.50 s, 3 steps/s)',
      'loss      2.381266365508548',
      'val loss  0.5',
      'accuracy  1.0000 (validation 0.7500)',
      'saved     ck/last.json',
    ]);
    expect(lines[8]).toMatch(/^ {2}16\.74 ┤/);
    expect(summaryLines({ ...fields, step: 3_000_000, elapsedMs: 20_000 }, {})[2]).toBe(
      'step      3000000 (3000000 updates in 20.0 s, 150.0 k steps/s)',
    );
    expect(summaryLines({ ...fields, step: 30_000_000, elapsedMs: 20_000 }, {})[2]).toBe(
      'step      30000000 (30000000 updates in 20.0 s, 1.50 M steps/s)',
    );
  });
});
