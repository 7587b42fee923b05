import { describe, expect, it } from 'vitest';
import { OutputShape } from '../../src/ops/outputShape.js';

describe('OutputShape', () => {
  it('gives size / rows, for each new shape (a last partial batch, another model)', () => {
    const shape = new OutputShape();
    expect(shape.cols(12, 3)).toBe(4);
    expect(shape.cols(12, 3)).toBe(4);
    expect(shape.cols(8, 2)).toBe(4); // a partial batch of the same model
    expect(shape.cols(8, 4)).toBe(2); // same size, other rows
    expect(shape.cols(10, 1)).toBe(10);
    expect(shape.cols(7, 2)).toBe(3.5); // not a whole row: the plain division, as before
  });
});
