/** Every number of ../shared/seed-example.md for plain gradient descent. */
import { lastValueFrom, map, pipe, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createParams, earlyStopping, forward, gradient, loss, param, sgd, train, update, type StepRecord } from '../src/index.js';
import { expectClose } from './helpers/expectClose.js';
import { seedData, seedLoss, seedModel, seedParams, seedStep, seedT } from './helpers/seed.js';

const target = Float64Array.from(seedT[0]!);
const x = Float64Array.from([1, 2, 3, 4]);

describe('the seed lesson', () => {
  it('predicts x · W', () => {
    const p = seedModel.forward(seedParams(), x, seedModel.createCache(1));
    expectClose(p, [-0.5545, 1.1241, -2.3547, 0.9334], 1e-12);
    expect(Math.abs(p.reduce((a, b) => a + b, 0) - -0.8516999999999999)).toBeLessThan(1e-12);
  });

  it('has MSE loss 16.740979677499997 and the true gradient (2/n)·xᵀ(p − t)', () => {
    const params = seedParams();
    const cache = seedModel.createCache(1);
    const p = seedModel.forward(params, x, cache);
    expect(Math.abs(seedLoss.value(p, target, 1, 4) - 16.740979677499997)).toBeLessThan(1e-12);
    const dP = seedLoss.grad(new Float64Array(4), p, target, 1, 4);
    const grads = createParams(seedModel.layout);
    seedModel.backward(params, cache, dP, grads);
    expectClose(
      param(grads, '0.W'),
      [
        -1.27725, -0.93795, -3.17735, -2.0333, -2.5545, -1.8759, -6.3547, -4.0666, -3.83175, -2.81385, -9.53205, -6.0999, -5.109, -3.7518,
        -12.7094, -8.1332,
      ],
      1e-12,
    );
  });

  it('follows the SGD lr 0.01 trajectory and stops after exactly 6 updates below 2.96', async () => {
    const records = await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(seedStep(), earlyStopping({ lossBelow: 2.96 })),
        scheduler: 'sync',
      }).pipe(
        map((r) => ({ step: r.step, loss: r.loss, stopReason: r.stopReason })),
        toArray(),
      ),
    );
    expect(records.map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expectClose(
      records.map((r) => r.loss),
      [
        16.740979677499997, 12.095357816993747, 8.738896022777983, 6.313852376457095, 4.56175834199025, 3.2958704020879557,
        2.381266365508548,
      ],
      1e-12,
    );
    expect(records.at(-1)!.stopReason).toBe('threshold');
    expect(records.slice(0, -1).every((r) => r.stopReason === undefined)).toBe(true);
  });

  it('leaves the final weights un-updated: they give the final loss', async () => {
    let finalLoss = Number.NaN;
    let finalW: number[] = [];
    await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(seedStep(), earlyStopping({ lossBelow: 2.96 })),
        scheduler: 'sync',
      }).pipe(
        map((r) => {
          finalLoss = r.loss;
          finalW = Array.from(r.params.data);
          return r;
        }),
      ),
    );
    const p = seedModel.forward(seedParams(), x, seedModel.createCache(1));
    const trained = seedModel.forward(createParams(seedModel.layout, Float64Array.from(finalW)), x, seedModel.createCache(1));
    expect(p).not.toEqual(trained);
    expect(Math.abs(seedLoss.value(trained, target, 1, 4) - finalLoss)).toBeLessThan(1e-12);
  });

  it('stops the same way with early stopping placed before the gradient (final update skipped)', async () => {
    const early = pipe(
      forward(seedModel),
      loss(seedLoss),
      earlyStopping({ lossBelow: 2.96 }),
      gradient(seedModel, seedLoss),
      update(sgd({ lr: 0.01 })),
    );
    let final: StepRecord | undefined;
    await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: early, scheduler: 'sync' }).pipe(tap((r) => (final = r))),
    );
    // read after completion: had `update` applied the final step, these weights would be step 7's
    expect(final!.step).toBe(6);
    expect(final!.loss).toBe(2.381266365508548);
    const trained = seedModel.forward(final!.params, x, seedModel.createCache(1));
    expect(seedLoss.value(trained, target, 1, 4)).toBe(2.381266365508548);
  });

  it('reaches a loss below 1e-9 after 73 updates', async () => {
    const last = await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(seedStep(), earlyStopping({ lossBelow: 1e-9 })),
        scheduler: 'sync',
      }).pipe(map((r) => [r.step, r.loss])),
    );
    expect(last[0]).toBe(73);
    expect(last[1]).toBeLessThan(1e-9);
  });

  it('with lr 0.05, one update brings the loss to 1.0463112298437502', async () => {
    const losses = await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: seedStep(sgd({ lr: 0.05 })), maxSteps: 1, scheduler: 'sync' }).pipe(
        map((r) => r.loss),
        toArray(),
      ),
    );
    expect(losses).toHaveLength(2);
    expect(Math.abs(losses[1]! - 1.0463112298437502)).toBeLessThan(1e-12);
  });
});
