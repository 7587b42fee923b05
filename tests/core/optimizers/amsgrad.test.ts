import { describe, expect, it } from 'vitest';
import { adam, amsgrad } from '../../../src/index.js';
import { expectClose } from '../../helpers/expectClose.js';
import { fixtureGrad, loadFixture } from './fixtures.js';
import { trajectory } from './problems.js';

describe('amsgrad', () => {
  const fixture = loadFixture('amsgrad');
  it.each(fixture.cases)(
    'matches the formula (running max of v, then bias correction) to 1e-12: $options',
    ({ options, trajectory: expected }) => {
      const got = trajectory(amsgrad(options), { grad: fixtureGrad(fixture) }, fixture.problem.w0, fixture.problem.steps);
      got.forEach((w, k) => expectClose(w, expected[k]!, 1e-12, true));
    },
  );

  it('is adam({ amsgrad: true }), and differs from Adam once v shrinks', () => {
    const g = { grad: fixtureGrad(fixture) };
    const a = trajectory(amsgrad({ lr: 0.05 }), g, fixture.problem.w0, 30);
    const b = trajectory(adam({ lr: 0.05, amsgrad: true }), g, fixture.problem.w0, 30);
    const c = trajectory(adam({ lr: 0.05 }), g, fixture.problem.w0, 30);
    expect(a.map((w) => Array.from(w))).toEqual(b.map((w) => Array.from(w)));
    expect(a.at(-1)).not.toEqual(c.at(-1));
  });

  it('names itself in errors', () => {
    expect(() => amsgrad({ beta2: 2 })).toThrow('amsgrad.beta2: expected a number in [0, 1), received 2');
  });
});
