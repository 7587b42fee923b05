import { describe, expect, it } from 'vitest';
import { createRng, defineLayer, dense, heNormal, paramsFrom, relu, sequential, type Layer, type Params } from '../../../src/index.js';
import { expectGradient } from '../gradcheck.js';

const rng = createRng(11);
const rand = (n: number) => Float64Array.from({ length: n }, () => rng.normal());

const myDense = (inputs: number, units: number): Layer =>
  defineLayer({
    name: 'myDense',
    inputs,
    outputs: units,
    params: { W: [inputs, units], b: [units] },
    forward: (x, p, T) => T.add(T.matmul(x, p.W), p.b),
  });

function expectRel(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const e = Math.abs(actual[i]! - expected[i]!) / Math.max(Math.abs(expected[i]!), 1e-300);
    if (!(e <= tol || actual[i] === expected[i])) expect.fail(`${label}[${i}]: ${actual[i]} vs ${expected[i]} (relative ${e} > ${tol})`);
  }
}

describe('defineLayer', () => {
  it('a dense layer equals dense() forward and backward to 1e-15, in a model', () => {
    const ref = sequential([dense(5, 8), relu(), dense(8, 3)]);
    const mine = sequential([myDense(5, 8), relu(), myDense(8, 3)]);
    expect(mine.layout.names).toEqual(ref.layout.names);
    const p = ref.init(rng);
    const q: Params = paramsFrom(mine.layout, Object.fromEntries(ref.layout.names.map((n, i) => [n, p.tensors[i]!])));
    for (const batch of [16, 3]) {
      const x = rand(batch * 5);
      const dY = rand(batch * 3);
      const c1 = ref.createCache(batch);
      const c2 = mine.createCache(batch);
      for (const training of [true, false]) {
        expectRel(mine.forward(q, x, c2, { training }), ref.forward(p, x, c1, { training }), 1e-15, 'forward');
        const g1 = ref.init(rng);
        const g2 = mine.init(rng);
        ref.backward(p, c1, dY, g1);
        mine.backward(q, c2, dY, g2);
        expectRel(g2.data, g1.data, 1e-15, 'grads');
      }
    }
  });

  it('a layer of its own passes finite differences (gated: x·W ⊙ sigmoid(x·V + c))', () => {
    const gated = defineLayer({
      name: 'gated',
      inputs: 3,
      outputs: 2,
      params: { W: [3, 2], V: [3, 2], c: { shape: [2], init: heNormal } },
      forward: (x, p, T) => T.mul(T.matmul(x, p.W), T.sigmoid(T.add(T.matmul(x, p.V), p.c))),
    });
    const model = sequential([dense(4, 3), gated]);
    const params = model.init(rng);
    expect(Array.from(params.tensors[4]!).some((v) => v !== 0)).toBe(true);
    const x = rand(5 * 4);
    const w = rand(5 * 2);
    const cache = model.createCache(5);
    const f = () => {
      const y = model.forward(params, x, cache);
      let s = 0;
      for (let i = 0; i < y.length; i++) s += y[i]! * w[i]!;
      return s;
    };
    f();
    const grads = model.init(rng);
    model.backward(params, cache, w, grads);
    const g = Float64Array.from(grads.data);
    expectGradient('gated', f, params.data, g, 1e-7);
  });

  it('records the training and inference modes apart', () => {
    const halve = defineLayer({ name: 'halve', inputs: 2, outputs: 2, forward: (x, _p, T, training) => (training ? T.mul(x, 0.5) : x) });
    const model = sequential([halve]);
    const params = model.init(rng);
    const cache = model.createCache(1);
    const x = new Float64Array([2, 4]);
    expect(Array.from(model.forward(params, x, cache, { training: true }))).toEqual([1, 2]);
    expect(Array.from(model.forward(params, x, cache))).toEqual([2, 4]);
    // the input itself as the output, first layer (no ∂x) or not
    const two = sequential([halve, halve]);
    const c2 = two.createCache(1);
    two.forward(two.init(rng), x, c2);
    const g = two.init(rng);
    expect(() => two.backward(two.init(rng), c2, new Float64Array([1, 1]), g)).not.toThrow();
  });

  it('computes dX for a layer after the first, and runs in a float32 model', () => {
    const f64 = sequential([myDense(4, 6), relu(), myDense(6, 2)]);
    const f32 = sequential([myDense(4, 6), relu(), myDense(6, 2)], { precision: 'float32' });
    const p = f64.init(createRng(1));
    const p32 = f32.init(createRng(1));
    const x = rand(8 * 4);
    const dY = rand(8 * 2);
    const y64 = f64.forward(p, x, f64.createCache(8));
    const c = f32.createCache(8);
    const y32 = f32.forward(p32, x, c);
    expect(y32).toBeInstanceOf(Float32Array);
    for (let i = 0; i < y64.length; i++) expect(y32[i]!).toBeCloseTo(y64[i]!, 5);
    const g = f32.init(rng);
    f32.backward(p32, c, dY, g);
    const c64 = f64.createCache(8);
    f64.forward(p, x, c64);
    const g64 = f64.init(rng);
    f64.backward(p, c64, dY, g64);
    for (let i = 0; i < g64.data.length; i++) expect(g.data[i]!).toBeCloseTo(g64.data[i]!, 4);
  });

  it('records once per batch size, mode and need of ∂x, then replays', () => {
    let records = 0;
    const layer = defineLayer({
      name: 'counted',
      inputs: 3,
      outputs: 2,
      params: { W: [3, 2] },
      forward: (x, p, T) => {
        records++;
        return T.tanh(T.matmul(x, p.W));
      },
    });
    const model = sequential([layer]);
    const params = model.init(rng);
    const grads = model.init(rng);
    const cache = model.createCache(4);
    const x = rand(12);
    const dY = rand(8);
    for (let step = 0; step < 5; step++) {
      model.forward(params, x, cache, { training: true });
      model.backward(params, cache, dY, grads);
    }
    // the first pass records with ∂x; the first layer's backward asks for none, so one more
    expect(records).toBe(2);
    for (let step = 0; step < 5; step++) model.forward(params, x, cache);
    expect(records).toBe(3);
  });

  it('names itself in toConfig when told its module; errors name the layer', () => {
    const l = defineLayer({
      name: 'd',
      inputs: 1,
      outputs: 1,
      params: { W: [1, 1] },
      forward: (x, p, T) => T.matmul(x, p.W),
      module: 'file:///m.js',
      export: 'd1',
    });
    expect(l.toConfig?.()).toEqual({ type: 'module', module: 'file:///m.js', export: 'd1' });
    expect(() => defineLayer({ name: 'bad', inputs: 0, outputs: 1, forward: (x) => x })).toThrow(
      'defineLayer("bad").inputs: expected an integer ≥ 1, received 0',
    );
    expect(() => defineLayer({ name: 'bad', inputs: 1, outputs: 1, params: { W: [0] as unknown as [number] }, forward: (x) => x })).toThrow(
      'defineLayer("bad").params.W: expected a shape of 1 or 2 positive integers',
    );
    const wrong = sequential([defineLayer({ name: 'wrong', inputs: 2, outputs: 3, forward: (x) => x })]);
    expect(() => wrong.forward(wrong.init(rng), new Float64Array(2), wrong.createCache(1))).toThrow(
      'defineLayer("wrong"): forward\'s result: expected [1, 3] (batch × outputs), received [1, 2]',
    );
  });
});
