import { describe, expect, it } from 'vitest';
import { GradstreamError, createRng, dense, predict, relu, sequential } from '../../src/index.js';

describe('predict', () => {
  const model = sequential([
    dense(2, 2, {
      weights: {
        W: [
          [1, 0],
          [0, 2],
        ],
        b: [1, 1],
      },
    }),
    relu(),
  ]);
  const params = model.init(createRng(1));

  it('runs the model on nested rows or a flat matrix and returns a fresh array', () => {
    const out = predict(model, params, [
      [1, 1],
      [-5, 1],
    ]);
    expect(Array.from(out)).toEqual([2, 3, 0, 3]);
    const again = predict(model, params, new Float64Array([1, 1, -5, 1]), 2);
    expect(again).toEqual(out);
    expect(again).not.toBe(out);
    expect(Array.from(predict(model, params, new Float64Array([1, 1])))).toEqual([2, 3]);
  });

  it('reports bad shapes', () => {
    expect(() => predict(model, params, [[1, 1, 1]])).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: predict(x)[0]: expected 2 features, received 3]`,
    );
    expect(() => predict(model, params, new Float64Array(3))).toThrow(GradstreamError);
    expect(() => predict(model, params, [1, 2] as never)).toThrow('predict(x)[0]: expected 2 features, received 1');
    expect(() => predict(model, params, [[1, '2']] as never)).toThrow(
      'predict(x)[0][1]: expected a finite number, received "2" (a string)',
    );
    expect(() => predict(model, params, [[1, Number.NaN]])).toThrow('predict(x)[0][1]: expected a finite number, received NaN');
    expect(() => predict(model, params, new Float64Array([1, Infinity]))).toThrow(
      'predict(x)[1]: expected a finite number, received Infinity',
    );
    expect(() => predict(model, params, 'x' as never)).toThrow(
      'predict(x): expected rows of 2 numbers (nested arrays or a Float64Array), received "x" (a string)',
    );
    expect(() => predict(model, params, new Float64Array(4), 3)).toThrow(
      'predict(x): expected rows of 2 features, received rows 3 for 4 numbers',
    );
    expect(() => predict(model, params, [])).toThrow('predict(x): expected rows of 2 features, received 0 numbers');
  });

  it('refuses what is not a model or its params', () => {
    expect(() => predict(undefined as never, params, [[1, 1]])).toThrow(
      'predict(model): expected a model (sequential([...]) or modelFromConfig(…).model), received undefined',
    );
    expect(() => predict(model, {} as never, [[1, 1]])).toThrow(
      "predict(params): expected parameters (model.init(rng), paramsFrom(model.layout, …), a checkpoint's params), received an object",
    );
    const other = sequential([dense(1, 3)]).init(createRng(1));
    expect(() => predict(model, other, [[1, 1]])).toThrow(
      "predict(params): expected the model's parameters (0.W [2, 2], 0.b [2]), received 0.W [1, 3], 0.b [3]",
    );
  });
});
