import { describe, expect, it } from 'vitest';
import { createRng, dense, sequential } from '../../src/index.js';

// Gradient checks of dense (with and without bias) are in layers/layers.test.ts.
describe('dense', () => {
  it('validates sizes and explicit weights', () => {
    expect(() => dense(0, 2)).toThrowErrorMatchingInlineSnapshot(`[GradstreamError: dense.inputs: expected an integer ≥ 1, received 0]`);
    expect(() => dense(2, '3' as never)).toThrow('dense.units: expected an integer ≥ 1, received "3" (a string)');
    expect(() => dense(2, 3, null as never)).toThrow(
      'dense: expected an options object ({ bias, init, biasInit, weights, kernelRegularizer }), received null',
    );
    expect(() => dense(2, 3, Object.create(null) as never)).not.toThrow();
    expect(() => dense(2, 3, { bais: false } as never)).toThrow(
      'dense.bais: expected a known option (bias, init, biasInit, weights, kernelRegularizer), received an unknown option',
    );
    expect(() => dense(2, 3, { bias: 'no' } as never)).toThrow('dense.bias: expected a boolean, received "no" (a string)');
    expect(() => dense(2, 3, { init: 'heNormal' } as never)).toThrow(
      'dense.init: expected an initializer (glorotUniform, heNormal, zeros, fromValues(…), …), received "heNormal" (a string)',
    );
    expect(() => dense(2, 3, { weights: null } as never)).toThrow('dense.weights: expected an options object ({ W, b }), received null');
    expect(() => dense(2, 3, { weights: {} } as never)).toThrow(
      'dense.weights.W: expected the initial weights (inputs rows of units numbers), received nothing',
    );
    expect(() => dense(2, 1, { weights: { W: [[1], 2] } } as never)).toThrow(
      'dense.weights.W[1]: expected a row of numbers (as row 0), received 2',
    );
    expect(() => dense(2, 1, { weights: { W: [[1], ['2']] } } as never)).toThrow(
      'dense.weights.W[1]: expected a finite number, received "2" (a string)',
    );
    expect(() => dense(2, 3, { kernelRegularizer: 0.01 } as never)).toThrow(
      'dense.kernelRegularizer: expected a regularizer (l1(…), l2(…), l1l2(…)), received 0.01',
    );
    // a huge layer is refused by its sizes, not by allocating
    expect(() => dense(1e308, 1, { weights: { W: [1] } })).toThrow('dense.inputs: expected an integer ≥ 1, received 1e+308');
    expect(() => dense(2, 1.5)).toThrow(/dense.units/);
    expect(() => dense(2, 2, { weights: { W: [[1, 2]] } })).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: dense.weights.W: expected 4 values, received 2]`,
    );
    expect(() => dense(1, 2, { weights: { W: [1, 2], b: [1] } })).toThrow(/dense.weights.b/);
    expect(() => dense(1, 1, { weights: { W: [Number.NaN] } })).toThrow(/dense.weights.W\[0\]: expected a finite number/);
  });

  it('uses its initializers, with zero bias by default', () => {
    const model = sequential([dense(3, 2)]);
    const p = model.init(createRng(3));
    expect(Array.from(p.tensors[1]!)).toEqual([0, 0]);
    const limit = Math.sqrt(6 / 5);
    expect(Array.from(p.tensors[0]!).every((v) => Math.abs(v) <= limit && v !== 0)).toBe(true);
  });
});
