import { lastValueFrom, map, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { earlyStopping, type StepRecord, type WithLoss } from '../../src/index.js';
import { seedRecord } from '../helpers/records.js';

const withLosses = (...losses: number[]) => losses.map((l, i) => Object.assign(seedRecord(i), { loss: l }) as StepRecord & WithLoss);
const run = (losses: number[], opts: Parameters<typeof earlyStopping>[0]) =>
  lastValueFrom(of(...withLosses(...losses)).pipe(earlyStopping(opts), map((r) => [r.step, r.stopReason ?? null] as const), toArray()));

describe('earlyStopping', () => {
  it('stops on the first loss below the threshold, emitting that record', async () => {
    expect(await run([5, 4, 2.9, 1], { lossBelow: 2.96 })).toEqual([[0, null], [1, null], [2, 'threshold']]);
    expect(await run([5, 4], { lossBelow: 2.96 })).toEqual([[0, null], [1, null]]);
  });

  it('stops on a plateau after `patience` records without an improvement above minDelta', async () => {
    expect(await run([5, 4, 3.95, 3.92, 3.91, 1], { patience: 3, minDelta: 0.1 })).toEqual([[0, null], [1, null], [2, null], [3, null], [4, 'plateau']]);
    expect(await run([5, 4, 3, 2, 1], { patience: 1 })).toEqual([[0, null], [1, null], [2, null], [3, null], [4, null]]);
    expect(await run([5, 5], { patience: 1 })).toEqual([[0, null], [1, 'plateau']]);
  });

  it('stops as diverged on a non-finite loss or one above lossAbove', async () => {
    expect(await run([5, Number.NaN, 1], { lossBelow: 1e-3 })).toEqual([[0, null], [1, 'diverged']]);
    expect(await run([5, Infinity], { patience: 10 })).toEqual([[0, null], [1, 'diverged']]);
    expect(await run([5, 50, 500], { lossAbove: 100 })).toEqual([[0, null], [1, null], [2, 'diverged']]);
  });

  it('checks criteria per subscription', async () => {
    const op = earlyStopping<StepRecord & WithLoss>({ patience: 2 });
    const a = await lastValueFrom(of(...withLosses(3, 3, 3)).pipe(op, toArray()));
    const b = await lastValueFrom(of(...withLosses(3, 3, 3)).pipe(op, toArray()));
    expect(a.length).toBe(3);
    expect(b.length).toBe(3);
  });

  it('rejects bad options', () => {
    expect(() => earlyStopping({ patience: 0 })).toThrowErrorMatchingInlineSnapshot(`[GradstreamError: earlyStopping.patience: expected an integer ≥ 1, received 0]`);
    expect(() => earlyStopping({ minDelta: -1 })).toThrow('earlyStopping.minDelta: expected a number ≥ 0, received -1');
    expect(() => earlyStopping({ lossBelow: Number.NaN })).toThrow('earlyStopping.lossBelow: expected a number, received NaN');
  });
});
