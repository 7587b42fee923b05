import { from, lastValueFrom, map, pipe, Subject, take, tap, throwError, toArray, EMPTY } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { forward, gradient, hyperParam, loss, reduceOnPlateau, sgd, train, update, type StepRecord } from '../../src/index.js';
import { seedData, seedLoss, seedModel, seedParams } from '../helpers/seed.js';

const records = (losses: number[]) => losses.map((l, step) => ({ step, loss: l }) as unknown as StepRecord & { loss: number });

/** The cell's value after each record. */
async function lrs(losses: number[], options: Parameters<typeof reduceOnPlateau>[1], initial = 1): Promise<number[]> {
  const lr = hyperParam(initial);
  return lastValueFrom(
    from(records(losses)).pipe(
      reduceOnPlateau(lr, options),
      map(() => lr.value),
      toArray(),
    ),
  );
}

describe('reduceOnPlateau', () => {
  it('multiplies the rate by factor after patience steps without improvement', async () => {
    expect(await lrs([5, 4, 4, 4, 4, 4, 3, 3, 3], { patience: 2, factor: 0.5, minDelta: 0 })).toEqual([
      1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125,
    ]);
  });

  it('counts only improvements larger than minDelta (default 1e-4)', async () => {
    expect(await lrs([1, 0.99995, 0.9999, 0.99985], { patience: 2 })).toEqual([1, 1, 0.1, 0.1]);
  });

  it('waits cooldown steps after a reduction (as Keras counts them) and never goes below minLr', async () => {
    expect(await lrs([1, 1, 1, 1, 1, 1, 1, 1], { patience: 1, factor: 0.5, cooldown: 2, minLr: 0.2 })).toEqual([
      1, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2,
    ]);
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
      }).pipe(
        map((r) => r.lr),
        toArray(),
      ),
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
    from(records([1, 2, 3, 4]))
      .pipe(reduceOnPlateau(lr), take(2))
      .subscribe((r) => sync.push(r.step));
    expect(sync).toEqual([0, 1]);
  });

  it('rejects bad options, naming them', () => {
    const lr = hyperParam(1);
    expect(() => reduceOnPlateau(lr, { factor: 1 })).toThrow('reduceOnPlateau.factor: expected a number in [0, 1), received 1');
    expect(() => reduceOnPlateau(lr, { patience: 0 })).toThrow('reduceOnPlateau.patience: expected an integer ≥ 1, received 0');
    expect(() => reduceOnPlateau(lr, { cooldown: -1 })).toThrow('reduceOnPlateau.cooldown: expected an integer ≥ 0, received -1');
    expect(() => reduceOnPlateau(lr, { minLr: -1 })).toThrow('reduceOnPlateau.minLr: expected a finite number ≥ 0, received -1');
    expect(() => reduceOnPlateau(lr, { minDelta: Number.NaN })).toThrow(
      'reduceOnPlateau.minDelta: expected a finite number ≥ 0, received NaN',
    );
  });

  it('exposes its counters for checkpoints and restores them, replaying the saved step unobserved', async () => {
    const lr = hyperParam(1);
    const op = reduceOnPlateau(lr, { patience: 2, factor: 0.5, minDelta: 0 });
    expect(op.getState()).toEqual({ best: Infinity, wait: 0, cooling: 0, step: -1 });
    await lastValueFrom(from(records([5, 4, 4])).pipe(op, toArray()));
    const saved = op.getState();
    expect(saved).toEqual({ best: 4, wait: 1, cooling: 0, step: 2 });
    // a straight run of 5 records, and one resumed from the state after step 2 (step 2 replayed)
    const straight = hyperParam(1);
    const a = await lastValueFrom(
      from(records([5, 4, 4, 4, 4])).pipe(
        reduceOnPlateau(straight, { patience: 2, factor: 0.5, minDelta: 0 }),
        map(() => straight.value),
        toArray(),
      ),
    );
    const resumed = reduceOnPlateau(lr, { patience: 2, factor: 0.5, minDelta: 0 });
    resumed.setState(saved);
    expect(resumed.getState()).toEqual(saved);
    const b = await lastValueFrom(
      from(records([5, 4, 4, 4, 4]).slice(2)).pipe(
        resumed,
        map(() => lr.value),
        toArray(),
      ),
    );
    expect(b).toEqual(a.slice(2));
    expect(resumed.getState()).toEqual({ best: 4, wait: 1, cooling: 0, step: 4 });
    // setState while running changes the live counters too
    const live = reduceOnPlateau(hyperParam(1), { patience: 5 });
    const src = new Subject<StepRecord & { loss: number }>();
    src.pipe(live).subscribe();
    src.next(records([3])[0]!);
    live.setState({ best: 1, wait: 4, cooling: 0 });
    expect(live.getState()).toEqual({ best: 1, wait: 4, cooling: 0, step: -1 });
    expect(() => op.setState({ best: 'x', wait: 0, cooling: 0 } as never)).toThrow(
      'reduceOnPlateau.state: expected { best: number, wait: integer ≥ 0, cooling: integer ≥ 0, step: integer ≥ -1 }, received {"best":"x","wait":0,"cooling":0}',
    );
    expect(() => op.setState(null)).toThrow('reduceOnPlateau.state');
  });
});
