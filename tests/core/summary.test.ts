import { describe, expect, it } from 'vitest';
import { GradstreamError, createRng, dense, predict, relu, sequential, softmax, summary, type Model } from '../../src/index.js';

describe('summary', () => {
  it('lists layers, output shapes and parameter counts', () => {
    expect(summary(sequential([dense(784, 128), relu(), dense(128, 10, { bias: false }), softmax()]))).toMatchInlineSnapshot(`
      "#  layer           output        params  names
      0  dense(784→128)  [batch, 128]  100480  0.W [784, 128], 0.b [128]
      1  relu(128)       [batch, 128]  0
      2  dense(128→10)   [batch, 10]   1280    2.W [128, 10]
      3  softmax(10)     [batch, 10]   0
      total: 101760 parameters; input [batch, 784] → output [batch, 10]"
    `);
  });

  it('describes models without a layer list by their sizes', () => {
    const { layers: _layers, ...bare } = sequential([dense(2, 3)]);
    expect(summary(bare as Model)).toBe('#  layer  output  params  names\ntotal: 9 parameters; input [batch, 2] → output [batch, 3]');
  });
});

describe('predict', () => {
  const model = sequential([dense(2, 2, { weights: { W: [[1, 0], [0, 2]], b: [1, 1] } }), relu()]);
  const params = model.init(createRng(1));

  it('runs the model on nested rows or a flat matrix and returns a fresh array', () => {
    const out = predict(model, params, [[1, 1], [-5, 1]]);
    expect(Array.from(out)).toEqual([2, 3, 0, 3]);
    const again = predict(model, params, new Float64Array([1, 1, -5, 1]), 2);
    expect(again).toEqual(out);
    expect(again).not.toBe(out);
    expect(Array.from(predict(model, params, new Float64Array([1, 1])))).toEqual([2, 3]);
  });

  it('reports bad shapes', () => {
    expect(() => predict(model, params, [[1, 1, 1]])).toThrowErrorMatchingInlineSnapshot(`[GradstreamError: predict(x)[0]: expected 2 features, received 3]`);
    expect(() => predict(model, params, new Float64Array(3))).toThrow(GradstreamError);
  });
});
