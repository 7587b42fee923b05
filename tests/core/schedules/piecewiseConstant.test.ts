import { describe, expect, it } from 'vitest';
import { GradstreamError, piecewiseConstant } from '../../../src/index.js';

describe('piecewiseConstant', () => {
  it('gives values[i] for boundaries[i−1] < step ≤ boundaries[i] (Keras)', () => {
    const s = piecewiseConstant({ boundaries: [100, 200], values: [0.1, 0.01, 0.001] });
    expect([0, 100, 101, 200, 201, 1e9].map(s)).toEqual([0.1, 0.1, 0.01, 0.01, 0.001, 0.001]);
  });
  it('rejects mismatched lengths, unsorted boundaries and bad values', () => {
    expect(() => piecewiseConstant({ boundaries: [1], values: [1] })).toThrow(GradstreamError);
    expect(() => piecewiseConstant({ boundaries: [1], values: [1] })).toThrow(
      'piecewiseConstant.values: expected 2 numbers (one more than boundaries), received 1',
    );
    expect(() => piecewiseConstant({ boundaries: [5, 5], values: [1, 2, 3] })).toThrow(
      'piecewiseConstant.boundaries[1]: expected a number > 5, received 5',
    );
    expect(() => piecewiseConstant({ boundaries: [5], values: [1, -2] })).toThrow(
      'piecewiseConstant.values[1]: expected a finite number ≥ 0, received -2',
    );
    expect(() => piecewiseConstant({} as never)).toThrow(
      'piecewiseConstant.boundaries: expected an array of increasing steps, received undefined',
    );
    expect(() => piecewiseConstant({ boundaries: [], values: null } as never)).toThrow(
      'piecewiseConstant.values: expected 1 numbers (one more than boundaries), received null',
    );
    expect(() => piecewiseConstant({ boundaries: ['5'], values: [1, 2] } as never)).toThrow(
      'piecewiseConstant.boundaries[0]: expected a finite number, received "5" (a string)',
    );
  });
});
