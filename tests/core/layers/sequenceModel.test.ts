import { describe, expect, it } from 'vitest';
import { createParams, createRng, dense, embedding, gru, lstm, mse, sequential, tanh } from '../../../src/index.js';
import { INFERENCE } from '../../../src/core/layer.js';
import { expectGradient } from '../gradcheck.js';

describe('a stacked sequence model (embedding → lstm → tanh → gru → dense)', () => {
  const model = sequential([
    embedding(7, 3, { inputLength: 4 }),
    lstm(4, { timesteps: 4, features: 3, returnSequences: true }),
    tanh(),
    gru(3, { timesteps: 4, features: 4, returnSequences: true }),
    gru(2, { timesteps: 4, features: 3, resetAfter: false }),
    dense(2, 2),
  ]);
  const x = Float64Array.of(0, 6, 2, 2, 5, 1, 3, 0, 4, 4, 4, 4);
  const y = Float64Array.of(0.5, -0.2, 0.1, 0.3, -0.4, 0.8);
  const l = mse();

  it('backpropagates through every layer: all gradients equal finite differences (float64)', () => {
    const params = model.init(createRng(8));
    const cache = model.createCache(3);
    const value = (): number => l.value(model.forward(params, x, cache, { training: true }), y, 3, 2);
    value();
    const dY = new Float64Array(6);
    l.grad(dY, cache.activations[model.layers.length]!, y, 3, 2);
    const grads = createParams(model.layout);
    model.backward(params, cache, dY, grads);
    expectGradient('params', value, params.data, grads.data);
  });

  it('computes the same in training and in inference', () => {
    const params = model.init(createRng(8));
    const a = Array.from(model.forward(params, x, model.createCache(3), { training: true, step: 3 }));
    const b = Array.from(model.forward(params, x, model.createCache(3), INFERENCE));
    expect(b).toEqual(a);
  });
});
