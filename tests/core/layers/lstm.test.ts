import { describe, expect, it } from 'vitest';
import { createRng, dense, lstm, modelFromConfig, param, sequential } from '../../../src/index.js';
import { expectFloat32Agrees, expectGradientsMatchDifferences, layerCase } from './layerPasses.js';

describe('lstm', () => {
  it('has Keras tensors: W [features, 4u], U [units, 4u] orthogonal, b with the forget gate at 1', () => {
    const model = sequential([lstm(3, { timesteps: 4, features: 2 }), dense(3, 1)]);
    expect(model.layout.names.slice(0, 3)).toEqual(['0.W', '0.U', '0.b']);
    expect(model.layout.shapes.slice(0, 3)).toEqual([[2, 12], [3, 12], [12]]);
    const p = model.init(createRng(5));
    expect(Array.from(param(p, '0.b'))).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const q = sequential([lstm(3, { timesteps: 4, features: 2, unitForgetBias: false })]).init(createRng(5));
    expect(Array.from(param(q, '0.b'))).toEqual(new Array(12).fill(0));
  });

  it('computes hand-checked values: one unit, two steps', () => {
    const layer = lstm(1, { timesteps: 2 });
    const params = [Float64Array.of(0.5, -0.3, 0.8, 0.2), Float64Array.of(0.1, 0.4, -0.6, 0.3), Float64Array.of(0, 1, 0.1, -0.2)];
    const y = new Float64Array(1);
    layer.forward(params, Float64Array.of(1.5, -0.5), y, 1);
    const s = (v: number): number => 1 / (1 + Math.exp(-v));
    let h = 0;
    let c = 0;
    for (const x of [1.5, -0.5]) {
      const i = s(x * 0.5 + h * 0.1);
      const f = s(x * -0.3 + h * 0.4 + 1);
      const g = Math.tanh(x * 0.8 - h * 0.6 + 0.1);
      const o = s(x * 0.2 + h * 0.3 - 0.2);
      c = f * c + i * g;
      h = o * Math.tanh(c);
    }
    expect(y[0]).toBeCloseTo(h, 15);
  });

  it.each([false, true])('gradients equal finite differences in float64 (returnSequences %s)', (returnSequences) => {
    expectGradientsMatchDifferences(layerCase(lstm(4, { timesteps: 5, features: 3, returnSequences }), 2, 9));
  });

  it.each([false, true])('the float32 form agrees with float64 to float32 round-off (returnSequences %s)', (returnSequences) => {
    expectFloat32Agrees(lstm(16, { timesteps: 6, features: 4, returnSequences }), 5, 13);
  });

  it('round-trips through its config; after an embedding it takes inputLength × outputDim', () => {
    const layer = lstm(6, { timesteps: 3, features: 2, returnSequences: true, unitForgetBias: false });
    expect(layer.toConfig!()).toEqual({ type: 'lstm', units: 6, timesteps: 3, features: 2, returnSequences: true, unitForgetBias: false });
    const { model } = modelFromConfig({
      layers: [
        { type: 'embedding', inputDim: 50, outputDim: 8, inputLength: 10 },
        { type: 'lstm', units: 4 },
        { type: 'dense', units: 2 },
      ],
      precision: 'float32',
    });
    expect(model.layers[1]!.toConfig!()).toEqual({ type: 'lstm', units: 4, timesteps: 10, features: 8 });
    expect(model.precision).toBe('float32');
    const again = modelFromConfig(model.toConfig()).model;
    expect(again.layout).toEqual(model.layout);
  });
});
