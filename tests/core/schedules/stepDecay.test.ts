import { describe, expect, it } from 'vitest';
import { stepDecay } from '../../../src/index.js';

describe('stepDecay', () => {
  it('drops by factor every stepSize steps (default factor 0.1)', () => {
    const s = stepDecay({ lr: 1, stepSize: 3, factor: 0.5 });
    expect([0, 2, 3, 5, 6].map(s)).toEqual([1, 1, 0.5, 0.5, 0.25]);
    expect(stepDecay({ lr: 1, stepSize: 2 })(2)).toBeCloseTo(0.1, 15);
    expect(() => stepDecay({ lr: 1, stepSize: 1.5 })).toThrow('stepDecay.stepSize: expected an integer ≥ 1, received 1.5');
    expect(() => stepDecay(undefined as never)).toThrow(
      'stepDecay: expected an options object ({ lr, stepSize, factor }), received undefined',
    );
    expect(() => stepDecay({ lr: 1, stepSize: '10' } as never)).toThrow(
      'stepDecay.stepSize: expected an integer ≥ 1, received "10" (a string)',
    );
    expect(() => stepDecay({ lr: 1, stepSize: 10, gamma: 0.5 } as never)).toThrow(
      'stepDecay.gamma: expected a known option (lr, stepSize, factor), received an unknown option',
    );
  });
});
