import { describe, expect, it } from 'vitest';
import { adam, chain, clipByGlobalNorm, GradstreamError, scaleByAdam } from '../../../src/index.js';
import { expectClose } from '../../helpers/expectClose.js';
import { fixtureGrad, loadFixture } from './fixtures.js';
import { trajectory, vectorParams } from './problems.js';
import { runSeed } from './seedRun.js';

describe('adam', () => {
  it('follows the lesson: 16.74098, 10.31513, 5.93279, 3.346632, 2.00143, below 2.96 after 4 updates', async () => {
    const records = await runSeed(adam({ lr: 0.1, epsilon: 1e-7 }));
    expect(records.map((r) => r.step)).toEqual([0, 1, 2, 3, 4]);
    expectClose(
      records.map((r) => r.loss!),
      [16.74098, 10.31513, 5.93279, 3.346632, 2.00143],
      1e-5,
    );
    expect(records.at(-1)!.stopReason).toBe('threshold');
    expect(records.every((r) => r.lr === 0.1)).toBe(true);
  });

  const fixture = loadFixture('adam');
  it.each(fixture.cases)('matches the formula of the paper (tfjs ε form) to 1e-12: $options', ({ options, trajectory: expected }) => {
    const got = trajectory(adam(options), { grad: fixtureGrad(fixture) }, fixture.problem.w0, fixture.problem.steps);
    got.forEach((w, k) => expectClose(w, expected[k]!, 1e-12, true));
  });

  it('uses the Keras / TensorFlow.js defaults: lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7', () => {
    const explicit = trajectory(
      adam({ lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false }),
      { grad: fixtureGrad(fixture) },
      fixture.problem.w0,
      5,
    );
    const defaults = trajectory(adam(), { grad: fixtureGrad(fixture) }, fixture.problem.w0, 5);
    expect(defaults.map((w) => Array.from(w))).toEqual(explicit.map((w) => Array.from(w)));
    // first step of Adam moves every parameter by lr (up to ε): m̂/√v̂ = sign(g)
    expectClose(
      defaults[0]!,
      fixture.problem.w0.map((w, i) => w - 0.001 * Math.sign(w - fixture.problem.c[i]!)),
      1e-9,
    );
  });

  it('clips before Adam in chain(clipByGlobalNorm(c), adam(…)): a huge gradient only counts as norm c', () => {
    const params = vectorParams([0, 0]);
    const clipped = chain(clipByGlobalNorm(1), adam({ lr: 0.1 }));
    const byHand = adam({ lr: 0.1 });
    const plain = adam({ lr: 0.1 });
    const sc = clipped.init(params);
    const sh = byHand.init(params);
    const sp = plain.init(params);
    const grads = [
      [3e8, -4e8],
      [0.3, 0.4],
      [-0.6, 0.8],
    ];
    const clippedGrads = [
      [0.6, -0.8],
      [0.3, 0.4],
      [-0.6, 0.8],
    ]; // norm 1, then already ≤ 1
    for (let k = 0; k < grads.length; k++) {
      const uc = Float64Array.from(grads[k]!);
      const uh = Float64Array.from(clippedGrads[k]!);
      clipped.update(uc, sc, params);
      byHand.update(uh, sh, params);
      plain.update(Float64Array.from(grads[k]!), sp, params);
      expectClose(uc, uh, 1e-14, true);
    }
    // Adam's moments saw the clipped gradient (ν < 2e-3), not the huge one (ν ≈ 1e-3 · 1.6e17)
    const nuClipped = (sc as unknown as [unknown, [{ nu: Float64Array }]])[1][0].nu;
    const nuPlain = (sp as unknown as [{ nu: Float64Array }])[0].nu;
    expect(nuClipped[1]!).toBeLessThan(2e-3);
    expect(nuPlain[1]!).toBeGreaterThan(1e13);
  });

  it('scaleByAdam keeps m, v, count as plain state and nuMax only with amsgrad', () => {
    const params = vectorParams([1, 2, 3]);
    const s = scaleByAdam().init(params);
    expect(s).toEqual({ count: 0, mu: new Float64Array(3), nu: new Float64Array(3), nuMax: null });
    expect(scaleByAdam({ amsgrad: true }).init(params).nuMax).toEqual(new Float64Array(3));
  });

  it.each([
    [{ beta1: 1.5 }, 'adam.beta1: expected a number in [0, 1), received 1.5'],
    [{ beta1: 1 }, 'adam.beta1: expected a number in [0, 1), received 1'],
    [{ beta2: -0.1 }, 'adam.beta2: expected a number in [0, 1), received -0.1'],
    [{ epsilon: 0 }, 'adam.epsilon: expected a finite number > 0, received 0'],
    [{ lr: -1 }, 'adam.lr: expected a finite number ≥ 0, received -1'],
    [{ lr: Number.NaN }, 'adam.lr: expected a finite number ≥ 0, received NaN'],
    [{ amsgrad: 'yes' }, 'adam.amsgrad: expected a boolean, received "yes"'],
    [{ clipNorm: 0 }, 'adam.clipNorm: expected a finite number > 0, received 0'],
  ] as const)('rejects %o', (options, message) => {
    const make = () => adam(options as never);
    expect(make).toThrow(GradstreamError);
    expect(make).toThrow(message);
  });
});
