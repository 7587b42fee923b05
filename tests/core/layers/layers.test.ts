import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GradstreamError,
  createRng,
  dense,
  elu,
  identity,
  leakyRelu,
  relu,
  sigmoid,
  softmax,
  softplus,
  tanh,
  type Layer,
  type Rng,
} from '../../../src/index.js';
import { activationLayer, isActivationLayer } from '../../../src/core/layers/activation.js';
import { expectGradient } from '../gradcheck.js';

/** Random values away from kinks at 0 (|v| ≥ 0.05). */
function fillAwayFromZero(out: Float64Array, rng: Rng, scale = 2): Float64Array {
  for (let i = 0; i < out.length; i++) {
    const v = rng.uniform(-scale, scale);
    out[i] = Math.abs(v) < 0.05 ? v + Math.sign(v || 1) * 0.1 : v;
  }
  return out;
}

/**
 * Finite-difference check of one layer at a random batch: the scalar `Σ G ⊙ layer(x)` for a fixed
 * random `G`, against backward's `dX` and parameter gradients.
 */
function checkLayer(layer: Layer, batch: number, seed: number): void {
  const rng = createRng(seed);
  const params = layer.params.map((p) => fillAwayFromZero(new Float64Array(p.shape.reduce((a, b) => a * b, 1)), rng, 1));
  const x = fillAwayFromZero(new Float64Array(batch * layer.inputs), rng);
  const G = fillAwayFromZero(new Float64Array(batch * layer.outputs), rng);
  const y = new Float64Array(batch * layer.outputs);
  const f = (): number => {
    layer.forward(params, x, y, batch);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += G[i]! * y[i]!;
    return s;
  };
  f();
  const dX = new Float64Array(x.length);
  const grads = params.map((p) => new Float64Array(p.length).fill(Number.NaN));
  layer.backward(params, x, y, G, dX, grads, batch);
  expectGradient(`${layer.kind} dX`, f, x, dX);
  params.forEach((p, k) => expectGradient(`${layer.kind} ${layer.params[k]!.name}`, f, p, grads[k]!));
}

const activations: readonly [string, (n: number) => Layer][] = [
  ['relu', (n) => relu(n)],
  ['leakyRelu', (n) => leakyRelu(0.2, n)],
  ['elu', (n) => elu(1.5, n)],
  ['sigmoid', (n) => sigmoid(n)],
  ['tanh', (n) => tanh(n)],
  ['softplus', (n) => softplus(n)],
  ['identity', (n) => identity(n)],
  ['softmax', (n) => softmax(n)],
];

describe('layers: finite-difference gradient checks', () => {
  const shape = fc.record({
    inputs: fc.integer({ min: 1, max: 7 }),
    units: fc.integer({ min: 1, max: 7 }),
    batch: fc.integer({ min: 1, max: 6 }),
    seed: fc.integer({ min: 0, max: 1e9 }),
  });

  it('dense with bias', () => {
    fc.assert(
      fc.property(shape, ({ inputs, units, batch, seed }) => checkLayer(dense(inputs, units), batch, seed)),
      { numRuns: 30 },
    );
  });

  it('dense without bias', () => {
    fc.assert(
      fc.property(shape, ({ inputs, units, batch, seed }) => checkLayer(dense(inputs, units, { bias: false }), batch, seed)),
      { numRuns: 30 },
    );
  });

  for (const [name, make] of activations) {
    it(name, () => {
      fc.assert(
        fc.property(shape, ({ inputs, batch, seed }) => checkLayer(make(inputs), batch, seed)),
        { numRuns: 25 },
      );
    });
  }
});

describe('activation values', () => {
  const x = new Float64Array([-1000, -2, -0.5, 0, 0.5, 2, 1000]);
  const run = (layer: Layer): number[] => {
    const y = new Float64Array(x.length);
    layer.forward([], x, y, 1);
    return Array.from(y);
  };
  it('match their formulas, finite at ±1000', () => {
    expect(run(relu(7))).toEqual([0, 0, 0, 0, 0.5, 2, 1000]);
    expect(run(leakyRelu(0.1, 7))).toEqual([-100, -0.2, -0.05, 0, 0.5, 2, 1000]);
    expect(run(leakyRelu(undefined, 7))[1]).toBeCloseTo(-0.6, 15); // Keras' default alpha 0.3
    expect(run(elu(undefined, 7))).toEqual([-1, Math.expm1(-2), Math.expm1(-0.5), 0, 0.5, 2, 1000]);
    const s = run(sigmoid(7));
    expect(s[0]).toBe(0);
    expect(s[3]).toBe(0.5);
    expect(s[6]).toBe(1);
    expect(s[5]).toBeCloseTo(1 / (1 + Math.exp(-2)), 15);
    expect(s[1]).toBeCloseTo(1 / (1 + Math.exp(2)), 15);
    expect(run(tanh(7))).toEqual(Array.from(x, Math.tanh));
    const sp = run(softplus(7));
    expect(sp[0]).toBe(0);
    expect(sp[6]).toBe(1000);
    expect(sp[3]).toBeCloseTo(Math.log(2), 15);
    expect(sp[5]).toBeCloseTo(Math.log1p(Math.exp(2)), 14);
    expect(run(identity(7))).toEqual(Array.from(x));
  });

  it('softmax rows sum to 1 and survive logits of ±1000', () => {
    const layer = softmax(3);
    const z = new Float64Array([1000, -1000, 999, 1, 2, 3]);
    const y = new Float64Array(6);
    layer.forward([], z, y, 2);
    expect(y.every(Number.isFinite)).toBe(true);
    expect(y[0]! + y[1]! + y[2]!).toBeCloseTo(1, 15);
    expect(y[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 15);
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const sum = e[0]! + e[1]! + e[2]!;
    expect(Array.from(y.subarray(3))).toEqual(e.map((v) => expect.closeTo(v / sum, 15)));
  });
});

describe('activation layers without a size', () => {
  it('are activation layers that take a size with withSize', () => {
    const r = relu();
    expect(isActivationLayer(r)).toBe(true);
    expect(isActivationLayer(dense(1, 1))).toBe(false);
    expect(r.inputs).toBe(0);
    const sized = r.withSize(5);
    expect([sized.inputs, sized.outputs, sized.kind]).toEqual([5, 5, 'relu']);
  });

  it('refuse to run without a size, and bad sizes', () => {
    const y = new Float64Array(2);
    expect(() => relu().forward([], new Float64Array(2), y, 1)).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: relu: expected a size: relu(n), or a place after a sized layer in sequential([...]), received no size]`,
    );
    expect(() => tanh().backward([], y, y, y, y, [], 1)).toThrow(GradstreamError);
    expect(() => relu(2.5)).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: relu(size): expected a positive integer (or nothing: the size of the previous layer), received 2.5]`,
    );
    expect(() => relu().withSize(0)).toThrow(GradstreamError);
    expect(() => leakyRelu(Number.NaN)).toThrow(/leakyRelu\(alpha\)/);
    expect(() => elu(Infinity)).toThrow(/elu\(alpha\)/);
    expect(() => leakyRelu('0.1' as never)).toThrow('leakyRelu(alpha): expected a finite number, received "0.1" (a string)');
    expect(() => elu(null as never)).toThrow('elu(alpha): expected a finite number, received null');
    const kernels = { forward() {}, backward() {} };
    expect(() => activationLayer(3 as never, 2, kernels)).toThrow(
      'activationLayer(kind): expected a non-empty name (e.g. "swish"), received 3',
    );
    expect(() => activationLayer('swish', 2, { forward() {} } as never)).toThrow(
      'activationLayer("swish").kernels: expected an object with forward and backward functions, received an object',
    );
    expect(() => activationLayer('swish', 2, kernels, 'swish' as never)).toThrow(
      'activationLayer("swish").config: expected a layer config ({ type: … }) or nothing, received "swish" (a string)',
    );
    expect(() => relu(Object.create(null) as never)).toThrow(
      'relu(size): expected a positive integer (or nothing: the size of the previous layer), received an object',
    );
  });

  it('skip dX when it is not wanted and have nothing to init', () => {
    const l = relu(2);
    l.init(createRng(1), []);
    const dY = new Float64Array([1, 1]);
    expect(() => l.backward([], dY, dY, dY, null, [], 1)).not.toThrow();
  });
});
