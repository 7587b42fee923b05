import { describe, expect, it } from 'vitest';
import { createRng, embedding, GradstreamError, gru, modelFromConfig, param, sequential, summary } from '../../../src/index.js';
import { expectGradient } from '../gradcheck.js';
import { contextFor, layerCase, lossOf, passes } from './layerPasses.js';

describe('embedding', () => {
  it('looks ids up in its table, uniform in [−0.05, 0.05] at first', () => {
    const model = sequential([embedding(10, 3, { inputLength: 2 })]);
    expect(model.layout.names).toEqual(['0.embeddings']);
    const p = model.init(createRng(1));
    const E = param(p, '0.embeddings');
    expect(Math.max(...Array.from(E, Math.abs))).toBeLessThanOrEqual(0.05);
    const y = model.forward(p, Float64Array.of(4, 0, 9, 4), model.createCache(2));
    expect(Array.from(y)).toEqual([...E.subarray(12, 15), ...E.subarray(0, 3), ...E.subarray(27, 30), ...E.subarray(12, 15)]);
  });

  it('adds the gradients of repeated ids; equal to finite differences', () => {
    const c = layerCase(embedding(6, 4, { inputLength: 3 }), 2, 3, [1, 5, 1, 0, 1, 5]);
    const { grads, dX } = passes(c);
    expectGradient('embeddings', () => lossOf(c), c.params[0]!, grads[0]!);
    expect(Array.from(grads[0]!.subarray(8, 16))).toEqual(new Array(8).fill(0)); // ids 2, 3 unused
    expect(Array.from(dX)).toEqual(new Array(6).fill(0));
  });

  it('float32: the same lookups in a float32 model', () => {
    const c = layerCase(embedding(6, 4, { inputLength: 3 }), 2, 3, [1, 5, 1, 0, 1, 5]);
    const a = passes(c);
    const b = passes(c, c.layer.float32!(), true);
    expect(Array.from(b.y)).toEqual(Array.from(Float32Array.from(a.y)));
  });

  it('refuses ids that are not integers in range, naming the row and column', () => {
    const layer = embedding(5, 2, { inputLength: 2 });
    const p = [new Float64Array(10)];
    const run = (ids: number[]): void =>
      layer.forward(p, Float64Array.from(ids), new Float64Array(ids.length * 2), ids.length / 2, contextFor(layer, ids.length / 2));
    expect(() => run([0, 1, 2, 5])).toThrow('embedding input[1][1]: expected an integer id in [0, 5), received 5');
    expect(() => run([0.5, 1])).toThrow(GradstreamError);
    expect(() => run([-1, 1])).toThrow(GradstreamError);
  });

  it('round-trips through its config and shows in summaries', () => {
    const { model } = modelFromConfig({
      layers: [
        { type: 'embedding', inputDim: 100, outputDim: 8, inputLength: 5 },
        { type: 'gru', units: 4 },
        { type: 'dense', units: 1 },
      ],
    });
    expect(model.toConfig().layers[0]).toEqual({ type: 'embedding', inputDim: 100, outputDim: 8, inputLength: 5 });
    expect(model.layers[1]!.toConfig!()).toEqual({ type: 'gru', units: 4, timesteps: 5, features: 8 });
    expect(summary(model)).toContain('embedding(5→40)');
    expect(() =>
      modelFromConfig({
        layers: [
          { type: 'dense', inputs: 2, units: 3 },
          { type: 'embedding', inputDim: 4, outputDim: 2 },
        ],
      }),
    ).toThrow('model.layers[1].type');
    expect(sequential([embedding(100, 8, { inputLength: 5 }), gru(4, { timesteps: 5, features: 8 })]).inputs).toBe(5);
  });
});
