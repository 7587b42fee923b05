import { describe, expect, it } from 'vitest';
import { exponentialDecay } from '../../../src/index.js';

describe('exponentialDecay', () => {
  it('gives lr · rate^(step / decaySteps), floored with staircase', () => {
    const s = exponentialDecay({ lr: 0.1, decaySteps: 10, decayRate: 0.5 });
    expect(s(0)).toBe(0.1);
    expect(s(10)).toBeCloseTo(0.05, 15);
    expect(s(5)).toBeCloseTo(0.1 * Math.SQRT1_2, 15);
    const st = exponentialDecay({ lr: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
    expect([0, 9, 10, 19, 20].map(st)).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
  });
  it('rejects bad options', () => {
    expect(() => exponentialDecay({ lr: 0.1, decaySteps: 0, decayRate: 0.5 })).toThrow(
      'exponentialDecay.decaySteps: expected a finite number > 0, received 0',
    );
    expect(() => exponentialDecay({ lr: 0.1, decaySteps: 1, decayRate: -0.5 })).toThrow(
      'exponentialDecay.decayRate: expected a finite number ≥ 0, received -0.5',
    );
    expect(() => exponentialDecay(null as never)).toThrow(
      'exponentialDecay: expected an options object ({ lr, decaySteps, decayRate, staircase }), received null',
    );
    expect(() => exponentialDecay({ lr: 0.1, decaySteps: 1, decayRate: 0.5, staircase: 'yes' } as never)).toThrow(
      'exponentialDecay.staircase: expected a boolean, received "yes" (a string)',
    );
  });
});
