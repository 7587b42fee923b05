import { describe, expect, it } from 'vitest';
import {
  createParams,
  createRng,
  dense,
  dropout,
  GradstreamError,
  mse,
  predict,
  sequential,
  tanh,
  type ForwardMode,
} from '../../../src/index.js';
import { expectGradient } from '../gradcheck.js';

const train = (step: number, seed = 1): ForwardMode => ({ training: true, rng: createRng(seed), step });

describe('dropout', () => {
  it('is exactly the identity in inference (default mode, explicit mode, predict)', () => {
    const model = sequential([dense(3, 50), dropout(0.5)]);
    const params = model.init(createRng(2));
    const x = Float64Array.from({ length: 30 }, (_, i) => Math.sin(i));
    const plain = sequential([dense(3, 50)]);
    const ref = plain.forward(params, x, plain.createCache(10)).slice();
    expect(model.forward(params, x, model.createCache(10)).slice()).toEqual(ref);
    expect(model.forward(params, x, model.createCache(10), { training: false, rng: createRng(1), step: 3 }).slice()).toEqual(ref);
    expect(predict(model, params, x)).toEqual(ref);
  });

  it('drops a fraction `rate` and scales the rest by 1 / (1 − rate): the mean is unchanged', () => {
    const rows = 1000;
    const n = 100;
    const model = sequential([dropout(0.3, n)]);
    const x = new Float64Array(rows * n).fill(1);
    const y = model.forward(createParams(model.layout), x, model.createCache(rows), train(0));
    let zeros = 0;
    let sum = 0;
    let others = 0;
    for (const v of y) {
      if (v === 0) zeros++;
      else if (v !== 1 / 0.7) others++;
      sum += v;
    }
    expect(others).toBe(0);
    // 100 000 Bernoulli(0.3) draws: σ of the fraction ≈ 0.00145; allow 4σ.
    expect(Math.abs(zeros / y.length - 0.3)).toBeLessThan(0.006);
    expect(Math.abs(sum / y.length - 1)).toBeLessThan(0.006 / 0.7);
    // every feature and every row is dropped at about the same rate (no pattern in the mask)
    const perFeature = new Float64Array(n);
    for (let i = 0; i < y.length; i++) if (y[i] === 0) perFeature[i % n]! += 1 / rows;
    for (const f of perFeature) expect(Math.abs(f - 0.3)).toBeLessThan(0.07); // σ ≈ 0.0145
  });

  it('masks are a function of (rng state, step, layer): reproducible, different across steps and layers, rng not advanced', () => {
    const model = sequential([dropout(0.5, 64), dropout(0.5, 64)]);
    const params = createParams(model.layout);
    const x = new Float64Array(64).fill(1);
    const cache = model.createCache(1);
    const mask = (mode: ForwardMode, layer: number) => {
      model.forward(params, x, cache, mode);
      return Array.from(cache.activations[layer + 1]!, (v, i) => (layer === 0 ? v : v / (cache.activations[1]![i]! || 1)));
    };
    const rng = createRng(9);
    const before = rng.getState();
    const a = mask({ training: true, rng, step: 4 }, 0);
    expect(rng.getState()).toEqual(before);
    expect(mask({ training: true, rng: createRng(9), step: 4 }, 0)).toEqual(a);
    expect(mask({ training: true, rng: createRng(9), step: 5 }, 0)).not.toEqual(a);
    expect(mask({ training: true, rng: createRng(10), step: 4 }, 0)).not.toEqual(a);
    // the second layer's mask (where the first kept the unit) differs from the first's
    model.forward(params, x, cache, { training: true, rng: createRng(9), step: 4 });
    const first = Array.from(cache.activations[1]!, (v) => v !== 0);
    const second = Array.from(cache.activations[2]!, (v, i) => (first[i] ? v !== 0 : null)).filter((v) => v !== null);
    expect(second.some((kept) => !kept)).toBe(true);
    expect(second.some((kept) => kept)).toBe(true);
  });

  it('without a step, each pass draws a fresh key from the generator', () => {
    const model = sequential([dropout(0.5, 64)]);
    const params = createParams(model.layout);
    const x = new Float64Array(64).fill(1);
    const cache = model.createCache(1);
    const rng = createRng(3);
    const a = model.forward(params, x, cache, { training: true, rng }).slice();
    const b = model.forward(params, x, cache, { training: true, rng }).slice();
    expect(a).not.toEqual(b);
    const again = createRng(3);
    expect(model.forward(params, x, cache, { training: true, rng: again }).slice()).toEqual(a);
  });

  it('backward multiplies by the same mask (finite differences through dense → tanh → dropout → dense)', () => {
    const model = sequential([dense(3, 8), tanh(), dropout(0.4), dense(8, 2)]);
    const rng = createRng(4);
    const params = model.init(rng);
    const x = Float64Array.from({ length: 15 }, () => rng.uniform(-2, 2));
    const t = Float64Array.from({ length: 10 }, () => rng.uniform(-1, 1));
    const cache = model.createCache(5);
    const mode: ForwardMode = { training: true, rng: createRng(7), step: 11 };
    const l = mse();
    const f = () => l.value(model.forward(params, x, cache, mode), t, 5, 2);
    const out = model.forward(params, x, cache, mode);
    const grads = createParams(model.layout);
    model.backward(params, cache, l.grad(new Float64Array(10), out, t, 5, 2), grads);
    expectGradient('dropout model', f, params.data, grads.data);
    // and some unit was dropped in this pass
    expect(Array.from(cache.activations[3]!).filter((v, i) => v === 0 && cache.activations[2]![i] !== 0).length).toBeGreaterThan(0);
  });

  it('rate 0 is the identity in training too; inference backward passes dY through', () => {
    const model = sequential([dense(2, 3), dropout(0)]);
    const params = model.init(createRng(1));
    const x = new Float64Array([1, -1]);
    const plain = sequential([dense(2, 3)]);
    expect(model.forward(params, x, model.createCache(1), { training: true, rng: createRng(1), step: 0 }).slice()).toEqual(
      plain.forward(params, x, plain.createCache(1)).slice(),
    );
    const m2 = sequential([dense(2, 3), dropout(0.5)]);
    const c = m2.createCache(1);
    m2.forward(params, x, c);
    const g = createParams(m2.layout);
    m2.backward(params, c, new Float64Array([1, 2, 3]), g);
    const gp = createParams(plain.layout);
    const cp = plain.createCache(1);
    plain.forward(params, x, cp);
    plain.backward(params, cp, new Float64Array([1, 2, 3]), gp);
    expect(g.data).toEqual(gp.data);
  });

  it('errors clearly in training without a generator, and on a bad rate or size', () => {
    const model = sequential([dense(2, 3), dropout(0.2)]);
    const params = model.init(createRng(1));
    const run = () => model.forward(params, new Float64Array(2), model.createCache(1), { training: true, step: 0 });
    expect(run).toThrow(GradstreamError);
    expect(run).toThrow(
      'layers[1] (dropout(0.2)): expected a seeded generator for the dropout masks in training: train({ rng: createRng(seed), … }), received no rng on the step record',
    );
    expect(() => dropout(1)).toThrow('dropout(rate): expected a number in [0, 1), received 1');
    expect(() => dropout(-0.1)).toThrow('dropout(rate): expected a number in [0, 1)');
    expect(() => dropout(0.5, 0)).toThrow('dropout(size): expected a positive integer');
    expect(() => dropout('0.5' as never)).toThrow('dropout(rate): expected a number in [0, 1), received "0.5" (a string)');
    expect(() => dropout(0.5, Object.create(null) as never)).toThrow(
      'dropout(size): expected a positive integer (or nothing: the size of the previous layer), received an object',
    );
    expect(() => dropout(0.5).forward([], new Float64Array(1), new Float64Array(1), 1)).toThrow('dropout: expected a size');
    expect(() => sequential([dropout(0.5)])).toThrow('layers[0]: expected a layer with a size first');
  });

  it('describes itself', () => {
    const model = sequential([dense(2, 3), dropout(0.25)]);
    expect(model.layers[1]!.toConfig!()).toEqual({ type: 'dropout', rate: 0.25 });
    expect(model.layout.names).toEqual(['0.W', '0.b']);
  });
});
