import { lastValueFrom, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { every, formatLogLine, log, type StepRecord } from '../../src/index.js';
import { seedRecord } from '../helpers/records.js';

const recs = (n: number) => Array.from({ length: n }, (_, i) => Object.assign(seedRecord(i), { loss: 10 - i }));

describe('log', () => {
  it('writes step, loss and steps/s from the clock', async () => {
    const lines: string[] = [];
    let t = 0;
    const all = recs(3);
    all[2]!.stopReason = 'threshold';
    await lastValueFrom(of(...all).pipe(log({ write: (l) => lines.push(l), clock: () => (t += 2) })));
    expect(lines).toEqual(['step 0  loss 10', 'step 1  loss 9  500 steps/s', 'step 2  loss 8  500 steps/s  stop: threshold']);
  });

  it('logs every n-th step and always the final record', async () => {
    const lines: string[] = [];
    const all = recs(7);
    all[6]!.stopReason = 'maxSteps';
    let t = 0;
    await lastValueFrom(of(...all).pipe(log({ every: 4, write: (l) => lines.push(l), clock: () => (t += 1000) })));
    expect(lines).toEqual(['step 0  loss 10', 'step 4  loss 6  4.00 steps/s', 'step 6  loss 4  2.00 steps/s  stop: maxSteps']);
  });

  it('writes to console.log by default', async () => {
    const original = console.log;
    const seen: unknown[] = [];
    console.log = (...a: unknown[]) => seen.push(...a);
    try {
      await lastValueFrom(of(...recs(1)).pipe(log()));
    } finally {
      console.log = original;
    }
    expect(seen).toEqual(['step 0  loss 10']);
  });

  it('formats a record without a loss', () => {
    expect(formatLogLine({ ...seedRecord(3), loss: Number.NaN }, Number.NaN)).toBe('step 3  loss NaN');
    expect(formatLogLine({ ...seedRecord(3), loss: undefined }, 12.345)).toBe('step 3  loss -  12.3 steps/s');
  });

  it('shows metrics added by the metric operator', () => {
    const r = Object.assign(seedRecord(2), { loss: 0.5, metrics: { accuracy: 0.96875, rmse: 0.123456 } });
    expect(formatLogLine(r, 1000)).toBe('step 2  loss 0.5  accuracy 0.9688  rmse 0.1235  1000 steps/s');
  });

  it('rejects a bad `every`', () => {
    expect(() => log({ every: 0 })).toThrow('log.every: expected an integer ≥ 1, received 0');
    expect(() => every(1.5)).toThrow('every(n): expected an integer ≥ 1, received 1.5');
  });
});

describe('every', () => {
  it('passes multiples of n and the final record', () => {
    const all = recs(8);
    all[7]!.stopReason = 'aborted';
    const steps: number[] = [];
    of(...all).pipe(every(3)).subscribe((r: StepRecord) => steps.push(r.step));
    expect(steps).toEqual([0, 3, 6, 7]);
  });
});
