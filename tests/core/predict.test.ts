import { describe, expect, it } from 'vitest';
import { GradstreamError, createRng, dense, predict, relu, sequential } from '../../src/index.js';

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
