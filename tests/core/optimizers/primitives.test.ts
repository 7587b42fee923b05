/** The small transforms, one by one, and how they chain. */
import { describe, expect, it } from 'vitest';
import {
  addDecayedWeights,
  chain,
  clipByGlobalNorm,
  clipByValue,
  GradstreamError,
  hyperParam,
  scale,
  scaleByLearningRate,
  scaleByRss,
  traceMomentum,
} from '../../../src/index.js';
import { expectClose } from '../../helpers/expectClose.js';
import { vectorParams } from './problems.js';

const apply = (
  t: {
    init: (p: ReturnType<typeof vectorParams>) => unknown;
    update: (u: Float64Array, s: never, p: ReturnType<typeof vectorParams>) => void;
  },
  grads: number[][],
  w: number[] = grads[0]!.map(() => 0),
) => {
  const params = vectorParams(w);
  const state = t.init(params) as never;
  return grads.map((g) => {
    const u = Float64Array.from(g);
    t.update(u, state, params);
    return Array.from(u);
  });
};

describe('scale', () => {
  it('multiplies by a factor, without negating; a cell is read each update', () => {
    expect(apply(scale(-2), [[1, -3]])).toEqual([[-2, 6]]);
    const f = hyperParam(3);
    const t = scale(f);
    const params = vectorParams([0]);
    const s = t.init(params);
    const u = Float64Array.of(1);
    t.update(u, s, params);
    f.value = 0.5;
    t.update(u, s, params);
    expect(u[0]).toBe(1.5);
    expect(() => scale(Infinity)).toThrow('scale.factor: expected a finite number, received Infinity');
    expect(() => scale('2' as never)).toThrow('scale.factor: expected a finite number or a hyperParam cell, received "2"');
  });
});

describe('scaleByLearningRate', () => {
  it('scales by −lr and counts updates; learningRate reports the next rate', () => {
    const t = scaleByLearningRate((step) => 0.1 * (step + 1));
    const params = vectorParams([0]);
    const s = t.init(params);
    expect(t.learningRate!(s)).toBeCloseTo(0.1, 15);
    const u = Float64Array.of(2);
    t.update(u, s, params);
    expect(u[0]).toBeCloseTo(-0.2, 15);
    expect(s.count).toBe(1);
    expect(t.learningRate!(s)).toBeCloseTo(0.2, 15);
  });

  it('reads a hyperParam cell at every update and checks it there', () => {
    const lr = hyperParam(0.1);
    const t = scaleByLearningRate(lr);
    const params = vectorParams([0]);
    const s = t.init(params);
    lr.value = 0.5;
    expect(t.learningRate!(s)).toBe(0.5);
    const u = Float64Array.of(2);
    t.update(u, s, params);
    expect(u[0]).toBe(-1);
    lr.value = Number.NaN;
    expect(() => t.update(u, s, params)).toThrow('scaleByLearningRate.lr: expected a finite number ≥ 0, received NaN');
  });

  it('errors when a schedule returns a bad rate, naming the path', () => {
    const t = scaleByLearningRate(() => -1, 'sgd');
    const params = vectorParams([0]);
    expect(() => t.update(Float64Array.of(1), t.init(params), params)).toThrow('sgd.lr: expected a finite number ≥ 0, received -1');
  });

  it('rejects bad rates at construction', () => {
    expect(() => scaleByLearningRate(-0.1)).toThrow(GradstreamError);
    expect(() => scaleByLearningRate(-0.1)).toThrow('scaleByLearningRate.lr: expected a finite number ≥ 0, received -0.1');
    expect(() => scaleByLearningRate(Infinity)).toThrow('received Infinity');
    expect(() => scaleByLearningRate({ value: -1 })).toThrow('scaleByLearningRate.lr: expected a finite number ≥ 0, received -1');
    expect(() => scaleByLearningRate('0.1' as never)).toThrow(
      'scaleByLearningRate.lr: expected a finite number ≥ 0, a schedule or a hyperParam cell, received "0.1"',
    );
  });
});

describe('traceMomentum', () => {
  it('heavy ball: trace ← m·trace + g, u ← trace', () => {
    expect(apply(traceMomentum({ momentum: 0.5 }), [[1], [1], [1]])).toEqual([[1], [1.5], [1.75]]);
  });
  it('nesterov: u ← g + m·trace (new trace)', () => {
    expect(apply(traceMomentum({ momentum: 0.5, nesterov: true }), [[1], [1]])).toEqual([[1.5], [1 + 0.5 * 1.5]]);
  });
  it('defaults to momentum 0.9 and reads a cell at every update', () => {
    expect(apply(traceMomentum(), [[1], [1]])).toEqual([[1], [1.9]]);
    const m = hyperParam(0);
    const t = traceMomentum({ momentum: m });
    const params = vectorParams([0]);
    const s = t.init(params);
    const u = Float64Array.of(1);
    t.update(u, s, params);
    m.value = 1;
    u[0] = 1;
    t.update(u, s, params);
    expect(u[0]).toBe(2);
    m.value = 2;
    expect(() => t.update(u, s, params)).toThrow('traceMomentum.momentum: expected a number in [0, 1], received 2');
  });
  it('rejects bad options', () => {
    expect(() => traceMomentum({ momentum: -0.1 })).toThrow('traceMomentum.momentum: expected a number in [0, 1], received -0.1');
    expect(() => traceMomentum({ nesterov: 'true' as never })).toThrow('traceMomentum.nesterov: expected a boolean, received "true"');
  });
});

describe('scaleByRss', () => {
  it('divides by √(initial + Σg² + ε)', () => {
    const [u1, u2] = apply(scaleByRss(), [[2], [1]]);
    expectClose(u1!, [2 / Math.sqrt(0.1 + 4 + 1e-7)], 1e-15);
    expectClose(u2!, [1 / Math.sqrt(0.1 + 5 + 1e-7)], 1e-15);
    expect(() => scaleByRss({ initialAccumulatorValue: -1 })).toThrow(
      'scaleByRss.initialAccumulatorValue: expected a finite number ≥ 0, received -1',
    );
  });
});

describe('addDecayedWeights', () => {
  it('adds weightDecay · params', () => {
    expect(apply(addDecayedWeights(0.5), [[1, 1]], [2, -4])).toEqual([[2, -1]]);
    expect(apply(addDecayedWeights(0), [[1, 1]], [2, -4])).toEqual([[1, 1]]);
  });
});

describe('clipByGlobalNorm', () => {
  it('rescales to norm clipNorm only when above it', () => {
    const [u] = apply(clipByGlobalNorm(1), [[3, -4]]);
    expectClose(u!, [0.6, -0.8], 1e-15);
    expect(apply(clipByGlobalNorm(5), [[3, -4]])).toEqual([[3, -4]]);
    expect(apply(clipByGlobalNorm(10), [[3, -4]])).toEqual([[3, -4]]);
  });
  it('reads a cell and rejects a norm ≤ 0', () => {
    const c = hyperParam(2.5);
    const [u] = apply(clipByGlobalNorm(c), [[3, -4]]);
    expectClose(u!, [1.5, -2], 1e-15);
    expect(() => clipByGlobalNorm(0)).toThrow('clipByGlobalNorm.clipNorm: expected a finite number > 0, received 0');
  });
});

describe('clipByValue', () => {
  it('clamps every update to [−c, c]', () => {
    expect(apply(clipByValue(0.5), [[3, -4, 0.25, -0.5]])).toEqual([[0.5, -0.5, 0.25, -0.5]]);
    expect(() => clipByValue(-1)).toThrow('clipByValue.clipValue: expected a finite number > 0, received -1');
  });
});

describe('chain', () => {
  it('applies transforms in order, keeps their states in an array, reports the first learning rate', () => {
    const t = chain(clipByValue(1), scaleByLearningRate(0.1), scaleByLearningRate(0.5));
    const params = vectorParams([0, 0]);
    const s = t.init(params);
    expect(s).toEqual([{}, { count: 0 }, { count: 0 }]);
    expect(t.learningRate!(s)).toBe(0.1);
    const u = Float64Array.of(5, -0.5);
    t.update(u, s, params);
    expectClose(u, [0.05, -0.025], 1e-15);
    expect(chain(clipByValue(1)).learningRate!([{}])).toBeUndefined();
  });

  it('refuses an argument that is not a transformation', () => {
    expect(() => chain(clipByValue(1), undefined as never)).toThrow(
      'chain(transforms)[1]: expected a gradient transformation { init, update } (scaleByAdam(), clipByGlobalNorm(1), sgd(), …), received undefined',
    );
    expect(() => chain({ init: () => ({}) } as never)).toThrow('chain(transforms)[0]: expected a gradient transformation');
  });
});
