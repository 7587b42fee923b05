import { describe, expect, it } from 'vitest';
import { constantRate, constantRateOf } from '../../../src/core/optimizers/constantRate.js';
import { scaleByLearningRate, sgd } from '../../../src/index.js';

describe('constantRate', () => {
  it('returns its rate and says so', () => {
    const f = constantRate(0.25);
    expect(f()).toBe(0.25);
    expect(constantRateOf(f)).toBe(0.25);
  });

  it('reads nothing from other functions and values', () => {
    expect(constantRateOf(() => 0.25)).toBeUndefined();
    expect(constantRateOf(undefined)).toBeUndefined();
    expect(constantRateOf(0.25)).toBeUndefined();
    expect(constantRateOf(scaleByLearningRate(0.25).learningRate)).toBeUndefined();
  });

  it('marks sgd with a constant rate only', () => {
    expect(constantRateOf(sgd({ lr: 0.03 }).learningRate)).toBe(0.03);
    expect(constantRateOf(sgd().learningRate)).toBe(0.01);
    expect(constantRateOf(sgd({ lr: (step) => 0.1 / (1 + step) }).learningRate)).toBeUndefined();
    expect(constantRateOf(sgd({ lr: 0.03, momentum: 0.9 }).learningRate)).toBeUndefined();
  });
});
