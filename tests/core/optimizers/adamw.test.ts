import { describe, expect, it } from 'vitest';
import { adam, adamw, GradstreamError, hyperParam } from '../../../src/index.js';
import { expectClose } from '../../helpers/expectClose.js';
import { fixtureGrad, loadFixture } from './fixtures.js';
import { stepper, trajectory } from './problems.js';

describe('adamw', () => {
  const fixture = loadFixture('adamw');
  it.each(fixture.cases)(
    'matches the formula of the paper (decay scaled by lr, as Keras) to 1e-12: $options',
    ({ options, trajectory: expected }) => {
      const got = trajectory(adamw(options), { grad: fixtureGrad(fixture) }, fixture.problem.w0, fixture.problem.steps);
      got.forEach((w, k) => expectClose(w, expected[k]!, 1e-12, true));
    },
  );

  it('is Adam when weightDecay is 0', () => {
    const g = { grad: fixtureGrad(fixture) };
    const a = trajectory(adamw({ lr: 0.01, weightDecay: 0 }), g, fixture.problem.w0, 10);
    const b = trajectory(adam({ lr: 0.01 }), g, fixture.problem.w0, 10);
    expect(a.map((w) => Array.from(w))).toEqual(b.map((w) => Array.from(w)));
  });

  it('decays the weights decoupled from the gradient: zero gradient → params · (1 − lr · wd)', () => {
    const s = stepper(adamw({ lr: 0.1, weightDecay: 0.5 }), { grad: (out) => out.fill(0) }, [2, -4]);
    s.step();
    expectClose(s.params.data, [2 * 0.95, -4 * 0.95], 1e-15);
  });

  it('reads a live weightDecay cell at every update', () => {
    const wd = hyperParam(0);
    const s = stepper(adamw({ lr: 0.1, weightDecay: wd }), { grad: (out) => out.fill(0) }, [2]);
    s.step();
    expect(s.params.data[0]).toBe(2);
    wd.value = 1;
    s.step();
    expectClose(s.params.data, [1.8], 1e-15);
    wd.value = -1;
    expect(() => s.step()).toThrow('adamw.weightDecay: expected a finite number ≥ 0, received -1');
  });

  it('defaults to weightDecay 0.004 (Keras)', () => {
    const s = stepper(adamw({ lr: 1 }), { grad: (out) => out.fill(0) }, [1]);
    s.step();
    expectClose(s.params.data, [0.996], 1e-15);
  });

  it('rejects a negative weightDecay', () => {
    expect(() => adamw({ weightDecay: -0.1 })).toThrow(GradstreamError);
    expect(() => adamw({ weightDecay: -0.1 })).toThrow('adamw.weightDecay: expected a finite number ≥ 0, received -0.1');
    expect(() => adamw({ weightDecay: Number.NaN })).toThrow('adamw.weightDecay: expected a finite number ≥ 0, received NaN');
  });
});
