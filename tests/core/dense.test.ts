import { describe, expect, it } from 'vitest';
import { createRng, dense, sequential } from '../../src/index.js';

// Gradient checks of dense (with and without bias) are in layers/layers.test.ts.
describe('dense', () => {
  it('validates sizes and explicit weights', () => {
    expect(() => dense(0, 2)).toThrowErrorMatchingInlineSnapshot(`[GradstreamError: dense.inputs: expected a positive integer, received 0]`);
    expect(() => dense(2, 1.5)).toThrow(/dense.units/);
    expect(() => dense(2, 2, { weights: { W: [[1, 2]] } })).toThrowErrorMatchingInlineSnapshot(`[GradstreamError: dense.weights.W: expected 4 values, received 2]`);
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
