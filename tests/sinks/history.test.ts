import { lastValueFrom, of, pipe } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { earlyStopping, history, metric, rmse, sgd, train } from '../../src/index.js';
import { seedRecord } from '../helpers/records.js';
import { seedData, seedParams, seedStep } from '../helpers/seed.js';

describe('history', () => {
  it('collects loss, lr and metrics as plain arrays', async () => {
    const h = history();
    await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(seedStep(sgd({ lr: 0.01 })), metric('rmse', rmse), h),
        maxSteps: 3,
        scheduler: 'sync',
      }),
    );
    const got = h.history;
    expect(got.step).toEqual([0, 1, 2, 3]);
    expect(got.epoch).toEqual([0, 1, 2, 3]);
    expect(got.loss[0]).toBe(16.740979677499997);
    expect(got.loss[1]).toBe(12.095357816993747);
    expect(got.lr).toEqual([0.01, 0.01, 0.01, 0.01]);
    expect(got.metrics['rmse']!.map((v) => v * v)).toEqual(got.loss.map((l) => expect.closeTo(l, 12)));
    expect(got.valLoss.every(Number.isNaN)).toBe(true);
    expect(got.stopReason).toBe('maxSteps');
  });

  it('aligns values that come and go (a validation loss, a late metric) with NaN', async () => {
    const r = [
      Object.assign(seedRecord(0), { loss: 3 }),
      Object.assign(seedRecord(1), { loss: 2, valLoss: 2.5, metrics: { acc: 0.5 } }),
      Object.assign(seedRecord(2), { loss: 1 }),
      Object.assign(seedRecord(3), { loss: 0.5, metrics: { acc: 0.9 } }),
    ];
    const h = history();
    await lastValueFrom(of(...r).pipe(h));
    expect(h.history.valLoss).toEqual([Number.NaN, 2.5, Number.NaN, Number.NaN]);
    expect(h.history.metrics).toEqual({ acc: [Number.NaN, 0.5, Number.NaN, 0.9] });
  });

  it('samples every n steps, keeps the final record in both orders around earlyStopping, starts fresh per run', async () => {
    for (const order of ['before', 'after'] as const) {
      const h = history({ every: 4 });
      const stop = earlyStopping({ lossBelow: 2.96 });
      await lastValueFrom(
        train({
          params: seedParams(),
          data: seedData(),
          pipeline: order === 'before' ? pipe(seedStep(), h, stop) : pipe(seedStep(), stop, h),
          scheduler: 'sync',
        }),
      );
      expect([order, h.history.step, h.history.stopReason]).toEqual([order, [0, 4, 6], 'threshold']);
      expect(h.history.loss.at(-1)).toBe(2.381266365508548);
    }
    expect(() => history({ every: 1.5 })).toThrow('history.every: expected int, received 1.5');
  });
});
