import { from, lastValueFrom, map, pipe, Subject, take, tap, throwError, toArray, EMPTY } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { forward, gradient, hyperParam, loss, reduceOnPlateau, sgd, train, update, type StepRecord } from '../../src/index.js';
import { seedData, seedLoss, seedModel, seedParams } from '../helpers/seed.js';

const records = (losses: number[]) => losses.map((l, step) => ({ step, loss: l }) as unknown as StepRecord & { loss: number });

/** The cell's value after each record. */
async function lrs(losses: number[], options: Parameters<typeof reduceOnPlateau>[1], initial = 1): Promise<number[]> {
  const lr = hyperParam(initial);
  return lastValueFrom(from(records(losses)).pipe(reduceOnPlateau(lr, options), map(() => lr.value), toArray()));
}

describe('reduceOnPlateau', () => {
  it('multiplies the rate by factor after patience steps without improvement', async () => {
    expect(await lrs([5, 4, 4, 4, 4, 4, 3, 3, 3], { patience: 2, factor: 0.5, minDelta: 0 })).toEqual([1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125]);
  });

  it('counts only improvements larger than minDelta (default 1e-4)', async () => {
    expect(await lrs([1, 0.99995, 0.9999, 0.99985], { patience: 2 })).toEqual([1, 1, 0.1, 0.1]);
  });

  it('waits cooldown steps after a reduction (as Keras counts them) and never goes below minLr', async () => {
    expect(await lrs([1, 1, 1, 1, 1, 1, 1, 1], { patience: 1, factor: 0.5, cooldown: 2, minLr: 0.2 })).toEqual([1, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2]);
  });

  it('lowers the lr of the very update of the step that triggered it, inside the loop', async () => {
    const lr = hyperParam(0.01);
    const got = await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(
          forward(seedModel),
          loss(seedLoss),
          tap((r) => (r.loss = 1)), // a flat loss: a plateau from step 0
          reduceOnPlateau(lr, { patience: 3, factor: 0.5 }),
          gradient(seedModel, seedLoss),
          update(sgd({ lr })),
        ),
        maxSteps: 7,
        scheduler: 'sync',
      }).pipe(map((r) => r.lr), toArray()),
    );
    expect(got).toEqual([0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.0025, 0.0025]);
  });

  it('passes errors and completion through, and unsubscribes its source', async () => {
    const lr = hyperParam(1);
    await expect(lastValueFrom(throwError(() => new Error('boom')).pipe(reduceOnPlateau(lr)))).rejects.toThrow('boom');
    expect(await lastValueFrom(EMPTY.pipe(reduceOnPlateau(lr), toArray()))).toEqual([]);
    const src = new Subject<StepRecord & { loss: number }>();
    const seen: number[] = [];
    src.pipe(reduceOnPlateau(lr), take(1)).subscribe((r) => seen.push(r.step));
    src.next(records([3])[0]!);
    expect(seen).toEqual([0]);
    expect(src.observed).toBe(false);
    const sync: number[] = [];
    from(records([1, 2, 3, 4])).pipe(reduceOnPlateau(lr), take(2)).subscribe((r) => sync.push(r.step));
    expect(sync).toEqual([0, 1]);
  });

  it('rejects bad options, naming them', () => {
    const lr = hyperParam(1);
    expect(() => reduceOnPlateau(lr, { factor: 1 })).toThrow('reduceOnPlateau.factor: expected a number in [0, 1), received 1');
    expect(() => reduceOnPlateau(lr, { patience: 0 })).toThrow('reduceOnPlateau.patience: expected an integer ≥ 1, received 0');
    expect(() => reduceOnPlateau(lr, { cooldown: -1 })).toThrow('reduceOnPlateau.cooldown: expected an integer ≥ 0, received -1');
    expect(() => reduceOnPlateau(lr, { minLr: -1 })).toThrow('reduceOnPlateau.minLr: expected a finite number ≥ 0, received -1');
    expect(() => reduceOnPlateau(lr, { minDelta: Number.NaN })).toThrow('reduceOnPlateau.minDelta: expected a finite number ≥ 0, received NaN');
  });
});
