import { describe, expect, it } from 'vitest';
import { createRng, dense, GradstreamError, gru, modelFromConfig, param, sequential, summary } from '../../../src/index.js';
import { expectFloat32Agrees, expectGradientsMatchDifferences, layerCase } from './layerPasses.js';

const shapes = [
  { name: 'reset after (default)', resetAfter: true, returnSequences: false },
  { name: 'reset after, returnSequences', resetAfter: true, returnSequences: true },
  { name: 'reset before', resetAfter: false, returnSequences: false },
  { name: 'reset before, returnSequences', resetAfter: false, returnSequences: true },
];

describe('gru', () => {
  it('has Keras tensors: W [features, 3u] Glorot, U [units, 3u] orthogonal, b zeros ([2, 3u] with resetAfter)', () => {
    const model = sequential([gru(4, { timesteps: 5, features: 3 }), dense(4, 1)]);
    expect(model.layout.names).toEqual(['0.W', '0.U', '0.b', '1.W', '1.b']);
    expect(model.layout.shapes.slice(0, 3)).toEqual([
      [3, 12],
      [4, 12],
      [2, 12],
    ]);
    expect(sequential([gru(4, { timesteps: 5, features: 3, resetAfter: false })]).layout.shapes[2]).toEqual([12]);
    const p = model.init(createRng(3));
    const U = param(p, '0.U');
    // orthogonal: the 4 rows of U are orthonormal
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) {
        let dot = 0;
        for (let j = 0; j < 12; j++) dot += U[a * 12 + j]! * U[b * 12 + j]!;
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 12);
      }
    }
    const limit = Math.sqrt(6 / (3 + 12));
    expect(Math.max(...Array.from(param(p, '0.W'), Math.abs))).toBeLessThanOrEqual(limit);
    expect(Array.from(param(p, '0.b'))).toEqual(new Array(24).fill(0));
  });

  it('computes hand-checked values: one unit, one step, reset after', () => {
    const layer = gru(1, { timesteps: 1 });
    // W = [wz, wr, wh], U = [uz, ur, uh], b = [[bz, br, bh], [rz, rr, rh]]
    const params = [Float64Array.of(0.5, -0.3, 0.8), Float64Array.of(0.2, 0.1, -0.4), Float64Array.of(0.1, 0.2, 0.3, -0.1, 0.05, 0.25)];
    const y = new Float64Array(1);
    layer.forward(params, Float64Array.of(2), y, 1);
    const s = (v: number): number => 1 / (1 + Math.exp(-v));
    const z = s(2 * 0.5 + 0.1 - 0.1);
    const r = s(2 * -0.3 + 0.2 + 0.05);
    const hh = Math.tanh(2 * 0.8 + 0.3 + r * 0.25); // h₀ = 0: the recurrent product is its bias
    expect(y[0]).toBeCloseTo((1 - z) * hh, 15);
  });

  it.each(shapes)('gradients equal finite differences in float64 ($name)', ({ resetAfter, returnSequences }) => {
    expectGradientsMatchDifferences(layerCase(gru(5, { timesteps: 4, features: 3, resetAfter, returnSequences }), 2, 7));
  });

  it.each(shapes)('the float32 form agrees with float64 to float32 round-off ($name)', ({ resetAfter, returnSequences }) => {
    expectFloat32Agrees(gru(16, { timesteps: 6, features: 4, resetAfter, returnSequences }), 5, 11);
  });

  it('round-trips through its config, and a model config infers timesteps × features', () => {
    const layer = gru(8, { timesteps: 6, features: 2, returnSequences: true, resetAfter: false });
    expect(layer.toConfig!()).toEqual({ type: 'gru', units: 8, timesteps: 6, features: 2, returnSequences: true, resetAfter: false });
    const { model } = modelFromConfig({
      layers: [
        { type: 'gru', units: 8, timesteps: 12 },
        { type: 'dense', units: 1 },
      ],
    });
    expect(model.inputs).toBe(12);
    expect(model.layers[0]!.toConfig!()).toEqual({ type: 'gru', units: 8, timesteps: 12, features: 1 });
    const stacked = modelFromConfig({
      layers: [
        { type: 'gru', units: 4, timesteps: 6, features: 2, returnSequences: true },
        { type: 'gru', units: 3 },
      ],
    }).model;
    expect(stacked.layers[1]!.toConfig!()).toEqual({ type: 'gru', units: 3, timesteps: 6, features: 4 });
    const again = modelFromConfig(stacked.toConfig()).model;
    expect(again.layout).toEqual(stacked.layout);
    expect(summary(stacked)).toContain('gru(12→24)');
    // through dropout and activations, not through dense layers
    const through = modelFromConfig({
      layers: [
        { type: 'lstm', units: 5, timesteps: 4, features: 3, returnSequences: true },
        { type: 'dropout', rate: 0.2 },
        { type: 'tanh' },
        { type: 'gru', units: 2 },
      ],
    }).model;
    expect(through.layers[3]!.toConfig!()).toEqual({ type: 'gru', units: 2, timesteps: 4, features: 5 });
    const afterDense = modelFromConfig({
      layers: [
        { type: 'dense', inputs: 3, units: 8 },
        { type: 'gru', units: 2 },
      ],
    }).model;
    expect(afterDense.layers[1]!.toConfig!()).toEqual({ type: 'gru', units: 2, timesteps: 8, features: 1 });
    const byFeatures = modelFromConfig({
      layers: [
        { type: 'dense', inputs: 3, units: 8 },
        { type: 'gru', units: 2, features: 4 },
      ],
    }).model;
    expect(byFeatures.layers[1]!.toConfig!()).toEqual({ type: 'gru', units: 2, timesteps: 2, features: 4 });
  });

  it('refuses bad shapes with errors naming the field', () => {
    expect(() => gru(0, { timesteps: 3 })).toThrow(GradstreamError);
    expect(() => gru(4, {} as never)).toThrow('gru.timesteps: expected the number of steps per input row');
    expect(() => gru(4, { timesteps: 3, units: 2 } as never)).toThrow('gru.units: expected a known option');
    expect(() =>
      modelFromConfig({
        layers: [
          { type: 'dense', inputs: 3, units: 10 },
          { type: 'gru', units: 2, timesteps: 3 },
        ],
      }),
    ).toThrow('model.layers[1].timesteps: expected a divisor of 10');
    expect(() => modelFromConfig({ layers: [{ type: 'gru', units: 2 }] })).toThrow('model.layers[0].timesteps');
  });
});
