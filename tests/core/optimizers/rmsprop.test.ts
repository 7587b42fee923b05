import { describe, expect, it } from 'vitest';
import { rmsprop, scaleByRms } from '../../../src/index.js';
import { expectClose } from '../../helpers/expectClose.js';
import { stepper, vectorParams } from './problems.js';
import { runSeed } from './seedRun.js';

describe('rmsprop', () => {
  it('follows the lesson: 16.74098, 14.49272, 13.048089, 11.940943, below 2.96 after 26 updates', async () => {
    const records = await runSeed(rmsprop({ lr: 0.01, rho: 0.9, epsilon: 1e-7 }));
    expectClose(
      records.slice(0, 4).map((r) => r.loss!),
      [16.74098, 14.49272, 13.048089, 11.940943],
      1e-6,
    );
    expect(records.at(-1)!.step).toBe(26);
    expect(records.at(-1)!.loss).toBeLessThan(2.96);
    expect(records.at(-2)!.loss).toBeGreaterThanOrEqual(2.96);
    expect(records.at(-1)!.stopReason).toBe('threshold');
  });

  it('takes the first step lr · g / √((1−ρ)g² + ε)', () => {
    const s = stepper(rmsprop({ lr: 0.01 }), { grad: (out) => out.set([2, -0.5]) }, [0, 0]);
    s.step();
    expectClose(s.params.data, [(-0.01 * 2) / Math.sqrt(0.1 * 4 + 1e-7), (0.01 * 0.5) / Math.sqrt(0.1 * 0.25 + 1e-7)], 1e-15);
  });

  it('accumulates lr inside the momentum (tfjs): a ← m·a + lr·g/√(ν+ε), params −= a', () => {
    const s = stepper(rmsprop({ lr: 0.1, rho: 0.5, momentum: 0.5 }), { grad: (out) => out.fill(1) }, [0]);
    s.step();
    const a1 = 0.1 / Math.sqrt(0.5 + 1e-7);
    expectClose(s.params.data, [-a1], 1e-15);
    s.step();
    const a2 = 0.5 * a1 + 0.1 / Math.sqrt(0.75 + 1e-7);
    expectClose(s.params.data, [-a1 - a2], 1e-15);
  });

  it('centered stays finite on a constant gradient, where ν − μ² → 0 (tfjs 4.22 subtracts ε and turns NaN)', () => {
    const t = scaleByRms({ centered: true, rho: 0.5 });
    const params = vectorParams([0]);
    const state = t.init(params);
    const u = new Float64Array(1);
    for (let k = 0; k < 200; k++) {
      u[0] = 3;
      t.update(u, state, params);
      expect(Number.isFinite(u[0])).toBe(true);
    }
    expect(state.mu).not.toBeNull();
  });

  it('defaults: lr 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false', () => {
    const a = stepper(rmsprop(), { grad: (out) => out.set([2]) }, [0]);
    const b = stepper(rmsprop({ lr: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false }), { grad: (out) => out.set([2]) }, [0]);
    for (let k = 0; k < 3; k++) expect(a.step()[0]).toBe(b.step()[0]);
    expect(a.state).toHaveLength(2);
  });

  it.each([
    [{ rho: 1 }, 'rmsprop.rho: expected a number in [0, 1), received 1'],
    [{ momentum: 1.5 }, 'rmsprop.momentum: expected a number in [0, 1], received 1.5'],
    [{ momentum: -0.5 }, 'rmsprop.momentum: expected a number in [0, 1], received -0.5'],
    [{ epsilon: -1e-7 }, 'rmsprop.epsilon: expected a finite number > 0, received -1e-7'],
    [{ centered: 1 }, 'rmsprop.centered: expected a boolean, received 1'],
    [{ clipValue: -1 }, 'rmsprop.clipValue: expected a finite number > 0, received -1'],
  ] as const)('rejects %o', (options, message) => {
    expect(() => rmsprop(options as never)).toThrow(message);
  });
});
