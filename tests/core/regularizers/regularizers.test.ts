import { describe, expect, it } from 'vitest';
import { createParams, createRng, dense, l1, l1l2, l2, mse, param, sequential, tanh } from '../../../src/index.js';
import { expectGradient } from '../gradcheck.js';

const w = new Float64Array([0.5, -2, 0, 3]);

describe('weight penalties', () => {
  it('have Keras values and defaults: l1 λΣ|w|, l2 λΣw² (no ½), l1l2 both; 0.01 by default', () => {
    expect(l2(0.1).value(w)).toBeCloseTo(0.1 * (0.25 + 4 + 0 + 9), 15);
    expect(l1(0.1).value(w)).toBeCloseTo(0.1 * 5.5, 15);
    expect(l1l2({ l1: 0.1, l2: 0.2 }).value(w)).toBeCloseTo(0.1 * 5.5 + 0.2 * 13.25, 15);
    expect([l1().l1, l2().l2, l1l2().l1, l1l2().l2]).toEqual([0.01, 0.01, 0.01, 0.01]);
    expect([l1(0.5).toConfig(), l2(0.5).toConfig(), l1l2({ l2: 0 }).toConfig()]).toEqual([{ l1: 0.5 }, { l2: 0.5 }, { l1: 0.01, l2: 0 }]);
  });

  it('add their gradient: l1·sign(w) (0 at 0) + 2·l2·w', () => {
    const g = new Float64Array([1, 1, 1, 1]);
    l1l2({ l1: 0.1, l2: 0.2 }).addGrad(g, w);
    expect(Array.from(g)).toEqual([1 + 0.1 + 0.4 * 0.5, 1 - 0.1 + 0.4 * -2, 1, 1 + 0.1 + 0.4 * 3]);
  });

  it('reject negative or non-finite weights', () => {
    expect(() => l2(-1)).toThrow('l2(l2): expected a finite number ≥ 0, received -1');
    expect(() => l1(Number.NaN)).toThrow('l1(l1): expected a finite number ≥ 0, received NaN');
    expect(() => l1l2({ l2: Number.POSITIVE_INFINITY })).toThrow('l1l2.l2: expected a finite number ≥ 0, received Infinity');
    expect(() => l2('0.1' as never)).toThrow('l2(l2): expected a finite number ≥ 0, received "0.1" (a string)');
    expect(() => l1(null as never)).toThrow('l1(l1): expected a finite number ≥ 0, received null');
    expect(() => l1l2(null as never)).toThrow('l1l2: expected an options object ({ l1, l2 }), received null');
    expect(() => l1l2({ L2: 0.1 } as never)).toThrow('l1l2.L2: expected a known option (l1, l2), received an unknown option');
    expect(() => l1l2(Object.assign(Object.create(null) as object, { l1: {} }) as never)).toThrow(
      'l1l2.l1: expected a finite number ≥ 0, received an object',
    );
  });

  it.each([
    ['l2', l2(0.05)],
    ['l1', l1(0.05)],
    ['l1l2', l1l2({ l1: 0.03, l2: 0.07 })],
  ])('%s on dense kernels: model.penalty and backward match finite differences of loss + penalty', (_name, reg) => {
    const model = sequential([dense(3, 5, { kernelRegularizer: reg }), tanh(), dense(5, 2, { kernelRegularizer: reg, bias: false })]);
    const rng = createRng(5);
    const params = model.init(rng);
    for (let i = 0; i < params.data.length; i++) {
      const v = rng.uniform(-1, 1);
      params.data[i] = Math.abs(v) < 0.05 ? v + 0.1 : v; // away from the kink of |w|
    }
    const x = Float64Array.from({ length: 12 }, () => rng.uniform(-2, 2));
    const t = Float64Array.from({ length: 8 }, () => rng.uniform(-1, 1));
    const cache = model.createCache(4);
    const l = mse();
    const f = () => l.value(model.forward(params, x, cache), t, 4, 2) + model.penalty!(params);
    const out = model.forward(params, x, cache);
    const grads = createParams(model.layout);
    model.backward(params, cache, l.grad(new Float64Array(8), out, t, 4, 2), grads);
    expectGradient(`${_name} penalty`, f, params.data, grads.data);
    expect(model.penalty!(params)).toBeCloseTo(reg.value(param(params, '0.W')) + reg.value(param(params, '2.W')), 14);
    expect(model.layers[0]!.toConfig!()).toEqual({ type: 'dense', inputs: 3, units: 5, kernelRegularizer: reg.toConfig() });
  });

  it('a model without penalties has no penalty function', () => {
    expect(sequential([dense(2, 2)]).penalty).toBeUndefined();
  });
});
