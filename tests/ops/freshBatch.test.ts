import { describe, expect, it } from 'vitest';
import { FreshBatch } from '../../src/ops/freshBatch.js';
import type { StepRecord } from '../../src/streams/stepRecord.js';

const rec = (step: number, epoch: number, batchIndex: number, stopReason?: string): StepRecord =>
  ({ step, epoch, batchIndex, stopReason }) as unknown as StepRecord;

describe('FreshBatch', () => {
  it('is true for each new batch, false for a final record re-evaluating the last batch', () => {
    const b = new FreshBatch();
    expect([b.isFresh(rec(0, 0, 0)), b.isFresh(rec(1, 0, 1)), b.isFresh(rec(1, 0, 1, 'dataEnd'))]).toEqual([true, true, false]);
  });

  it('is true for a later step on the same cursor (an online source), and for a final record on a new batch', () => {
    const b = new FreshBatch();
    expect([b.isFresh(rec(0, 0, 0)), b.isFresh(rec(1, 0, 0)), b.isFresh(rec(2, 0, 1, 'maxSteps'))]).toEqual([true, true, true]);
  });
});
