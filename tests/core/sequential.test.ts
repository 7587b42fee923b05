import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GradstreamError,
  binaryCrossEntropy,
  createParams,
  createRng,
  dense,
  elu,
  huber,
  leakyRelu,
  mae,
  mse,
  relu,
  sequential,
  sigmoid,
  softmax,
  softmaxCrossEntropy,
  softplus,
  tanh,
  type Loss,
  type Model,
} from '../../src/index.js';
import { expectGradient } from './gradcheck.js';

/** Checks model.backward ∘ loss.grad against finite differences of loss.value ∘ model.forward. */
function checkModel(model: Model, lossFn: Loss, batch: number, seed: number, target: Float64Array): void {
  const rng = createRng(seed);
  const params = model.init(rng);
  for (let i = 0; i < params.data.length; i++) params.data[i] = rng.uniform(-1, 1);
  const x = new Float64Array(batch * model.inputs);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform(-2, 2);
  const cache = model.createCache(batch);
  const f = (): number => lossFn.value(model.forward(params, x, cache), target, batch, model.outputs);
  const out = model.forward(params, x, cache);
  const dOut = lossFn.grad(new Float64Array(out.length), out, target, batch, model.outputs);
  const grads = createParams(model.layout);
  grads.data.fill(Number.NaN);
  model.backward(params, cache, dOut, grads);
  expectGradient('params', f, params.data, grads.data);
}

describe('sequential stacks: finite-difference gradient checks through a loss', () => {
  const arb = fc.record({
    a: fc.integer({ min: 1, max: 5 }),
    b: fc.integer({ min: 1, max: 6 }),
    c: fc.integer({ min: 2, max: 4 }),
    batch: fc.integer({ min: 1, max: 5 }),
    seed: fc.integer({ min: 0, max: 1e9 }),
  });

  it('dense → tanh → dense(no bias) → sigmoid → dense, MSE', () => {
    fc.assert(
      fc.property(arb, ({ a, b, c, batch, seed }) => {
        const model = sequential([dense(a, b), tanh(), dense(b, c, { bias: false }), sigmoid(), dense(c, 2)]);
        const t = Float64Array.from({ length: batch * 2 }, (_, i) => Math.sin(i + seed));
        checkModel(model, mse(), batch, seed, t);
      }),
      { numRuns: 20 },
    );
  });

  it('dense → softplus → dense → sigmoid → dense, logits into softmax cross-entropy with labels', () => {
    fc.assert(
      fc.property(arb, ({ a, b, c, batch, seed }) => {
        const model = sequential([dense(a, b), softplus(), dense(b, b), sigmoid(), dense(b, c)]);
        const t = Float64Array.from({ length: batch }, (_, i) => (i + seed) % c);
        checkModel(model, softmaxCrossEntropy(), batch, seed, t);
      }),
      { numRuns: 20 },
    );
  });

  it('dense → tanh → dense → softmax layer, cross-entropy from probabilities with one-hot targets', () => {
    fc.assert(
      fc.property(arb, ({ a, b, c, batch, seed }) => {
        const model = sequential([dense(a, b), tanh(), dense(b, c), softmax()]);
        const t = new Float64Array(batch * c);
        for (let r = 0; r < batch; r++) t[r * c + ((r + seed) % c)] = 1;
        checkModel(model, softmaxCrossEntropy({ fromLogits: false }), batch, seed, t);
      }),
      { numRuns: 20 },
    );
  });

  it('dense → relu → dense → sigmoid, binary cross-entropy from probabilities; Huber and MAE heads', () => {
    fc.assert(
      fc.property(arb, ({ a, b, batch, seed }) => {
        const t = Float64Array.from({ length: batch }, (_, i) => (i + seed) % 2);
        const rng = createRng(seed);
        // ReLU kinks: shift the first layer's inputs away from 0 by checking a smooth stack too.
        checkModel(sequential([dense(a, b), tanh(), dense(b, 1), sigmoid()]), binaryCrossEntropy(), batch, seed, t);
        checkModel(sequential([dense(a, b), tanh(), dense(b, 1)]), binaryCrossEntropy({ fromLogits: true }), batch, seed, t);
        const far = Float64Array.from({ length: batch }, () => rng.uniform(5, 8));
        checkModel(sequential([dense(a, b), tanh(), dense(b, 1)]), huber(1), batch, seed, far);
        checkModel(sequential([dense(a, b), tanh(), dense(b, 1)]), mae(), batch, seed, far);
      }),
      { numRuns: 15 },
    );
  });

  it('ReLU and leaky ReLU stacks (fixed seeds: no pre-activation within a step of a kink)', () => {
    const model = sequential([dense(3, 6), relu(), dense(6, 4), leakyRelu(0.1), dense(4, 2)]);
    for (let seed = 1; seed <= 10; seed++) checkModel(model, mse(), 4, seed, new Float64Array(8).fill(0.5));
    const eluModel = sequential([dense(3, 5), elu(0.7), dense(5, 2)]);
    for (let seed = 1; seed <= 10; seed++) checkModel(eluModel, mse(), 3, seed, new Float64Array(6).fill(0.5));
  });
});

describe('sequential', () => {
  it('names params by layer index and resolves activation sizes', () => {
    const model = sequential([dense(2, 8), relu(), dense(8, 1, { bias: false }), sigmoid()]);
    expect(model.layout.names).toEqual(['0.W', '0.b', '2.W']);
    expect(model.layers.map((l) => [l.kind, l.inputs, l.outputs])).toEqual([
      ['dense', 2, 8],
      ['relu', 8, 8],
      ['dense', 8, 1],
      ['sigmoid', 1, 1],
    ]);
    expect([model.inputs, model.outputs, model.layout.size]).toEqual([2, 1, 32]);
  });

  it('forward matches a hand computation over a batch', () => {
    const model = sequential([
      dense(2, 2, {
        weights: {
          W: [
            [1, -1],
            [2, 0.5],
          ],
          b: [0.5, -0.5],
        },
      }),
      relu(),
      dense(2, 1, { weights: { W: [[1], [3]], b: [0] } }),
    ]);
    const params = model.init(createRng(0));
    const out = model.forward(params, new Float64Array([1, 1, -1, 0, 0, 2]), model.createCache(3));
    // row 1: [1+2+.5, -1+.5-.5] = [3.5, -1] → relu [3.5, 0] → 3.5
    // row 2: [-1+.5, 1-.5] = [-0.5, 0.5] → [0, 0.5] → 1.5
    // row 3: [4+.5, 1-.5] = [4.5, 0.5] → 4.5 + 1.5 = 6
    expect(Array.from(out)).toEqual([3.5, 1.5, 6]);
  });

  it('reports shape errors clearly', () => {
    expect(() => sequential([])).toThrow(GradstreamError);
    expect(() => sequential(undefined as never)).toThrow(
      'sequential(layers): expected an array of layers, e.g. [dense(4, 8), relu(), dense(8, 1)], received undefined',
    );
    expect(() => sequential([dense(4, 8), 'relu'] as never)).toThrow(
      'layers[1]: expected a layer (dense(…), relu(), dropout(…), … or an object implementing Layer), received "relu" (a string)',
    );
    expect(() => sequential([null] as never)).toThrow('layers[0]: expected a layer');
    expect(() => sequential([dense(4, 8), dense(4, 2)])).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: layers[1]: expected 8 inputs (the outputs of dense(4→8) at layer 0), received dense(4→2)]`,
    );
    expect(() => sequential([dense(4, 8), relu(8), relu(3)])).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: layers[2]: expected 8 inputs (the outputs of relu(8) at layer 1), received relu(3)]`,
    );
    expect(() => sequential([relu()])).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: layers[0]: expected a layer with a size first (e.g. dense), or relu(n), received relu without a size]`,
    );
    const model = sequential([dense(4, 8), relu()]);
    const params = model.init(createRng(1));
    let err: unknown;
    try {
      model.forward(params, new Float64Array(6), model.createCache(2));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GradstreamError);
    expect({ ...(err as GradstreamError), message: (err as Error).message }).toMatchInlineSnapshot(`
      {
        "code": "invalid_shape",
        "expected": "input rows of 4 features (2 rows: 8 numbers)",
        "message": "layers[0] (dense(4→8)): expected input rows of 4 features (2 rows: 8 numbers), received input with 3 features",
        "name": "GradstreamError",
        "path": "layers[0] (dense(4→8))",
        "received": "input with 3 features",
      }
    `);
    expect(() => model.forward(params, new Float64Array(7), model.createCache(2))).toThrow(/7 numbers for 2 rows/);
    expect(() => model.createCache(0)).toThrow(/batchSize/);
    const other = sequential([dense(2, 2)]).init(createRng(1));
    expect(() => model.forward(other, new Float64Array(8), model.createCache(2))).toThrow(/expected 40 parameters/);
  });
});
