import { describe, expect, it } from 'vitest';
import {
  adamw,
  applyUpdates,
  batchNorm,
  createParams,
  createRng,
  dense,
  GradstreamError,
  mse,
  param,
  predict,
  sequential,
  sgd,
  tanh,
  type ForwardMode,
  type Model,
  type Params,
} from '../../../src/index.js';
import { expectClose } from '../../helpers/expectClose.js';
import { expectGradient, numericDerivative } from '../gradcheck.js';

const X = new Float64Array([1, 2, 3, 6, 5, 10]); // 3 rows × 2 features
const training = (step: number): ForwardMode => ({ training: true, step });

function bnModel(): { model: Model; params: Params } {
  const model = sequential([batchNorm({}, 2)]);
  const params = model.init(createRng(1));
  param(params, '0.gamma').set([2, 0.5]);
  param(params, '0.beta').set([0.1, -1]);
  return { model, params };
}

describe('batchNorm', () => {
  it('has Keras tensors and initial values: gamma 1, beta 0, moving mean 0, moving variance 1 (non-trainable)', () => {
    const model = sequential([dense(3, 2), batchNorm()]);
    expect(model.layout.names).toEqual(['0.W', '0.b', '1.gamma', '1.beta', '1.movingMean', '1.movingVariance', '1.statsStep']);
    expect(model.layout.trainable).toEqual([true, true, true, true, false, false, false]);
    const p = model.init(createRng(1));
    expect(Array.from(param(p, '1.gamma'))).toEqual([1, 1]);
    expect(Array.from(param(p, '1.beta'))).toEqual([0, 0]);
    expect(Array.from(param(p, '1.movingMean'))).toEqual([0, 0]);
    expect(Array.from(param(p, '1.movingVariance'))).toEqual([1, 1]);
    expect(model.layers[1]!.toConfig!()).toEqual({ type: 'batchNorm', momentum: 0.99, epsilon: 0.001 });
  });

  it('normalizes with the batch statistics in training (hand-computed values)', () => {
    const { model, params } = bnModel();
    // feature 0: μ 3, σ² 8/3; feature 1: μ 6, σ² 32/3 (biased); y = γ (x − μ) / sqrt(σ² + 1e-3) + β
    const y = model.forward(params, X, model.createCache(3), training(0));
    const s0 = Math.sqrt(8 / 3 + 1e-3);
    const s1 = Math.sqrt(32 / 3 + 1e-3);
    expectClose(y, [2 * (-2 / s0) + 0.1, 0.5 * (-4 / s1) - 1, 0.1, -1, 2 * (2 / s0) + 0.1, 0.5 * (4 / s1) - 1], 1e-15);
    expectClose(y, [-2.3490305925883637, -1.612343732756031, 0.1, -1, 2.549030592588364, -0.38765626724396895], 1e-15);
  });

  it('folds the batch statistics into the moving ones once per step (Keras rule), and uses them in inference', () => {
    const { model, params } = bnModel();
    const cache = model.createCache(3);
    for (let step = 0; step < 3; step++) {
      model.forward(params, X, cache, training(step));
      model.forward(params, X, cache, training(step)); // the same step again (a resume): no second fold
    }
    // moving = 0.99 · moving + 0.01 · batch, three times from (0, 1)
    expectClose(param(params, '0.movingMean'), [0.089103, 0.178206], 1e-15);
    expectClose(param(params, '0.movingVariance'), [1.0495016666666666, 1.2871096666666668], 1e-15);
    expectClose(param(params, '0.movingMean'), [3 * (1 - 0.99 ** 3), 6 * (1 - 0.99 ** 3)], 1e-14);
    expect(Array.from(param(params, '0.statsStep'))).toEqual([3]);
    // inference: (x − moving mean) / sqrt(moving variance + ε)
    const y = predict(model, params, X);
    const mm = param(params, '0.movingMean');
    const mv = param(params, '0.movingVariance');
    const want = Array.from(X, (v, i) => [2, 0.5][i % 2]! * ((v - mm[i % 2]!) / Math.sqrt(mv[i % 2]! + 1e-3)) + [0.1, -1][i % 2]!);
    expectClose(y, want, 1e-15);
    // without a step, every training pass folds
    const before = param(params, '0.movingMean')[0]!;
    model.forward(params, X, cache, { training: true });
    expect(param(params, '0.movingMean')[0]).toBe(0.99 * before + (1 - 0.99) * 3);
  });

  it('running statistics after N steps of a real loop match the closed form', () => {
    const model = sequential([batchNorm({ momentum: 0.9 }, 2)]);
    const params = model.init(createRng(1));
    const cache = model.createCache(3);
    for (let step = 0; step < 20; step++) model.forward(params, X, cache, training(step));
    expectClose(param(params, '0.movingMean'), [3 * (1 - 0.9 ** 20), 6 * (1 - 0.9 ** 20)], 1e-13);
    expectClose(param(params, '0.movingVariance'), [0.9 ** 20 + (8 / 3) * (1 - 0.9 ** 20), 0.9 ** 20 + (32 / 3) * (1 - 0.9 ** 20)], 1e-13);
  });

  it.each([
    ['training', true],
    ['inference', false],
  ])('gradients match finite differences in %s mode (dense → batchNorm → tanh → dense, MSE)', (_name, isTraining) => {
    const model = sequential([dense(3, 4), batchNorm({ momentum: 0.5 }), tanh(), dense(4, 2)]);
    const rng = createRng(11);
    const params = model.init(rng);
    for (let i = 0; i < params.data.length; i++) if (params.layout.trainable[tensorOf(params, i)]) params.data[i] = rng.uniform(-1, 1);
    param(params, '1.movingVariance').set([0.5, 1.5, 2, 0.8]);
    const x = Float64Array.from({ length: 15 }, () => rng.uniform(-2, 2));
    const t = Float64Array.from({ length: 10 }, () => rng.uniform(-1, 1));
    const cache = model.createCache(5);
    const mode: ForwardMode = { training: isTraining, step: 7 };
    const l = mse();
    const f = () => l.value(model.forward(params, x, cache, mode), t, 5, 2);
    const out = model.forward(params, x, cache, mode);
    const grads = createParams(model.layout);
    grads.data.fill(Number.NaN);
    model.backward(params, cache, l.grad(new Float64Array(10), out, t, 5, 2), grads);
    // the trainable tensors (the moving statistics are inputs in inference, but never trained: 0)
    expectTrainable(`batchNorm ${_name}`, f, params, grads);
    for (const name of ['1.movingMean', '1.movingVariance', '1.statsStep'])
      expect(Array.from(param(grads, name)).every((v) => v === 0)).toBe(true);
    // dX of the batch-normalized input, through a first layer that is itself batchNorm
    const m2 = sequential([dense(3, 3), batchNorm({}), dense(3, 2)]);
    const p2 = m2.init(createRng(3));
    const c2 = m2.createCache(5);
    const f2 = () => l.value(m2.forward(p2, x, c2, mode), t, 5, 2);
    const o2 = m2.forward(p2, x, c2, mode);
    const g2 = createParams(m2.layout);
    m2.backward(p2, c2, l.grad(new Float64Array(10), o2, t, 5, 2), g2);
    expectTrainable(`dense→batchNorm ${_name}`, f2, p2, g2);
  });

  it('no optimizer changes the moving statistics (applyUpdates skips non-trainable tensors, adamw decay included)', () => {
    const model = sequential([dense(2, 2), batchNorm()]);
    const params = model.init(createRng(2));
    param(params, '1.movingMean').set([0.5, -0.5]);
    param(params, '1.movingVariance').set([2, 3]);
    for (const opt of [adamw({ lr: 0.1, weightDecay: 0.5 }), sgd({ lr: 0.1 })]) {
      const state = opt.init(params);
      for (let k = 0; k < 3; k++) {
        const updates = new Float64Array(params.data.length).fill(1); // even a nonzero "gradient"
        opt.update(updates, state, params);
        applyUpdates(params, updates);
      }
    }
    expect(Array.from(param(params, '1.movingMean'))).toEqual([0.5, -0.5]);
    expect(Array.from(param(params, '1.movingVariance'))).toEqual([2, 3]);
    expect(param(params, '1.gamma')[0]).not.toBe(1);
  });

  it('errors on bad options and without a size', () => {
    expect(() => batchNorm({ momentum: 1.5 })).toThrow('batchNorm.momentum: expected a number in [0, 1], received 1.5');
    expect(() => batchNorm({ epsilon: 0 })).toThrow('batchNorm.epsilon: expected a finite number > 0, received 0');
    expect(() => batchNorm({}, 1.5)).toThrow('batchNorm(size): expected a positive integer');
    expect(() => batchNorm(null as never)).toThrow('batchNorm: expected an options object ({ momentum, epsilon }), received null');
    expect(() => batchNorm({ momentum: '0.9' } as never)).toThrow(
      'batchNorm.momentum: expected a number in [0, 1], received "0.9" (a string)',
    );
    expect(() => batchNorm({ momentom: 0.9 } as never)).toThrow(
      'batchNorm.momentom: expected a known option (momentum, epsilon), received an unknown option',
    );
    expect(() => batchNorm({}, '2' as never)).toThrow(
      'batchNorm(size): expected a positive integer (or nothing: the size of the previous layer), received "2" (a string)',
    );
    expect(() => batchNorm().forward([], new Float64Array(1), new Float64Array(1), 1)).toThrow(GradstreamError);
    const layer = batchNorm({}, 2);
    expect(() =>
      layer.backward(
        [new Float64Array(2), new Float64Array(2)],
        new Float64Array(2),
        new Float64Array(2),
        new Float64Array(2),
        null,
        [],
        1,
      ),
    ).toThrow('batchNorm.backward: expected the layer context of its forward pass');
  });
});

function expectTrainable(label: string, f: () => number, params: Params, grads: Params): void {
  params.layout.names.forEach((name, t) => {
    if (!params.layout.trainable[t]) return;
    const g = grads.tensors[t]!;
    const v = params.tensors[t]!;
    if (g.every((x) => Math.abs(x) < 1e-12)) {
      // a bias right before batch normalization in training: its gradient is exactly 0
      for (let i = 0; i < v.length; i++) expect(Math.abs(numericDerivative(f, v, i)), `${label} ${name}[${i}]`).toBeLessThan(1e-9);
    } else expectGradient(`${label} ${name}`, f, v, g);
  });
}

function tensorOf(params: Params, i: number): number {
  const { offsets, sizes } = params.layout;
  for (let t = 0; t < offsets.length; t++) if (i < offsets[t]! + sizes[t]!) return t;
  return -1;
}
