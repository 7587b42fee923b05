import { lastValueFrom, map, pipe, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  adam,
  chain,
  hyperParam,
  sgd,
  createRng,
  dense,
  forward,
  fromArrays,
  gradient,
  loss,
  relu,
  scaleByAdam,
  scaleByLearningRate,
  sequential,
  softmaxCrossEntropy,
  train,
  update,
  type GradientTransformation,
  type OptState,
} from '../../src/index.js';
import { constantRateOf, fusedFormOf } from '../../src/core/optimizers/fused/fusedForm.js';

describe('update with a fused optimizer step', () => {
  const model = sequential([dense(20, 32), relu(), dense(32, 3)]); // 771 parameters: the fused path
  const ce = softmaxCrossEntropy();
  const rng = createRng(5);
  const x = Array.from({ length: 96 }, () => Array.from({ length: 20 }, () => rng.normal()));
  const y = Array.from({ length: 96 }, (_, i) => i % 3);
  const run = (opt: GradientTransformation<OptState[]>) =>
    lastValueFrom(
      train({
        params: model.init(createRng(9)),
        data: fromArrays(x, y, { batchSize: 16, shuffle: true, seed: 3 }),
        pipeline: pipe(forward(model), loss(ce), gradient(model, ce), update(opt)),
        maxSteps: 60,
        scheduler: 'sync',
      }).pipe(
        map((r) => [r.loss, Array.from(r.params.data), r.lr] as const),
        toArray(),
      ),
    );

  it('adam (fused) equals the same chain without the fast path, bit for bit', async () => {
    const fused = adam({ lr: 0.01 });
    expect(fusedFormOf(fused)).toBeDefined();
    const plain = chain(scaleByAdam({}), scaleByLearningRate(0.01));
    expect(fusedFormOf(plain)).toBeUndefined();
    const a = await run(fused);
    const b = await run(plain);
    expect(a.map((r) => r[0])).toEqual(b.map((r) => r[0]));
    expect(a.map((r) => r[2])).toEqual(b.map((r) => r[2])); // the constant rate is the chain's
    expect(a.at(-1)![1]).toEqual(b.at(-1)![1]);
    expect(a.at(-1)![0]).toBeLessThan(a[0]![0]);
  });

  it('keeps the chain for clipped, AMSGrad and schedule-driven Adam, with the same results', async () => {
    expect(fusedFormOf(adam({ clipNorm: 1 }))).toBeUndefined();
    const schedule = (s: number) => 0.01 / (1 + s);
    const a = await run(adam({ lr: schedule }));
    const b = await run(chain(scaleByAdam({}), scaleByLearningRate(schedule)));
    expect(a.map((r) => [r[0], r[2]])).toEqual(b.map((r) => [r[0], r[2]]));
    const c = await run(adam({ lr: 0.01, amsgrad: true }));
    const d = await run(chain(scaleByAdam({ amsgrad: true }), scaleByLearningRate(0.01)));
    expect(c.at(-1)![1]).toEqual(d.at(-1)![1]);
  });
});

describe('sgd with a fused step', () => {
  it('equals the chain bit for bit, on the lesson too', async () => {
    const { sgd } = await import('../../src/index.js');
    const { seedData, seedParams, seedStep } = await import('../helpers/seed.js');
    const fused = sgd({ lr: 0.01 });
    expect(fusedFormOf(fused)).toBeDefined();
    const go = (opt: GradientTransformation<OptState[]>) =>
      lastValueFrom(
        train({ params: seedParams(), data: seedData(), pipeline: seedStep(opt), maxSteps: 73, scheduler: 'sync' }).pipe(
          map((r) => [r.loss, r.lr]),
          toArray(),
        ),
      );
    const a = await go(fused);
    const b = await go(chain(scaleByLearningRate(0.01)));
    expect(a).toEqual(b);
    expect(a[6]![0]).toBe(2.381266365508548);
    expect(fusedFormOf(sgd({ lr: 0.01, momentum: 0.9 }))).toBeUndefined();
    expect(fusedFormOf(sgd({ clipValue: 1 }))).toBeUndefined();
  });

  it('puts the rate on every record: a schedule or a replaced learningRate is asked once per step; the update keeps its own rate', async () => {
    const { sgd } = await import('../../src/index.js');
    const { seedData, seedParams, seedStep } = await import('../helpers/seed.js');
    const rates = (opt: GradientTransformation<OptState[]>) =>
      lastValueFrom(
        train({ params: seedParams(), data: seedData(), pipeline: seedStep(opt), maxSteps: 3, scheduler: 'sync' }).pipe(
          map((r) => r.lr),
          toArray(),
        ),
      );
    expect(await rates(sgd({ lr: 0.01 }))).toEqual([0.01, 0.01, 0.01, 0.01]);
    expect(await rates(sgd({ lr: (step) => 0.1 / (1 + step) }))).toEqual([0.1, 0.05, 0.1 / 3, 0.025]);
    // a spread that replaces `learningRate` is asked, not the constant it replaced
    let asked = 0;
    const replaced = { ...sgd({ lr: 0.01 }), learningRate: () => ((asked += 1), 0.5) };
    expect(await rates(replaced)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(asked).toBe(4);
  });
});

describe('constantRateOf', () => {
  const constant = (opt: GradientTransformation<OptState[]>) => constantRateOf(opt, fusedFormOf(opt));

  it('is the lr of sgd and adam made with a number, read without a call', () => {
    expect(constant(sgd({ lr: 0.25 }))).toBe(0.25);
    expect(constant(sgd())).toBe(0.01);
    expect(constant(adam({ lr: 0.003 }))).toBe(0.003);
    expect(constant(adam())).toBe(0.001);
  });

  it('is undefined for schedules, cells, optimizers without a one-pass form, and a copy whose learningRate was replaced', () => {
    expect(constant(sgd({ lr: (s) => 0.1 / (1 + s) }))).toBeUndefined();
    expect(constant(adam({ lr: hyperParam(0.01) }))).toBeUndefined();
    expect(constant(sgd({ lr: 0.1, momentum: 0.9 }))).toBeUndefined();
    expect(constant(chain(scaleByAdam({}), scaleByLearningRate(0.01)))).toBeUndefined();
    expect(constant({ ...sgd({ lr: 0.01 }), learningRate: () => 0.5 })).toBeUndefined();
    // a plain spread copy keeps its rate
    expect(constant({ ...sgd({ lr: 0.01 }) })).toBe(0.01);
  });
});
