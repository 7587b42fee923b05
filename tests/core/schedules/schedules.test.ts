/** Every schedule at chosen steps, and its option checks. */
import { describe, expect, it } from 'vitest';
import { constant, cosineDecay, exponentialDecay, GradstreamError, piecewiseConstant, stepDecay } from '../../../src/index.js';

describe('constant', () => {
  it('gives lr at every step', () => {
    const s = constant(0.01);
    expect([0, 1, 1e6].map(s)).toEqual([0.01, 0.01, 0.01]);
    expect(() => constant(-1)).toThrow('constant.lr: expected a finite number ≥ 0, received -1');
  });
});

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
    expect(() => exponentialDecay({ lr: 0.1, decaySteps: 0, decayRate: 0.5 })).toThrow('exponentialDecay.decaySteps: expected a finite number > 0, received 0');
    expect(() => exponentialDecay({ lr: 0.1, decaySteps: 1, decayRate: -0.5 })).toThrow('exponentialDecay.decayRate: expected a finite number ≥ 0, received -0.5');
  });
});

describe('stepDecay', () => {
  it('drops by factor every stepSize steps (default factor 0.1)', () => {
    const s = stepDecay({ lr: 1, stepSize: 3, factor: 0.5 });
    expect([0, 2, 3, 5, 6].map(s)).toEqual([1, 1, 0.5, 0.5, 0.25]);
    expect(stepDecay({ lr: 1, stepSize: 2 })(2)).toBeCloseTo(0.1, 15);
    expect(() => stepDecay({ lr: 1, stepSize: 1.5 })).toThrow('stepDecay.stepSize: expected an integer ≥ 1, received 1.5');
  });
});

describe('piecewiseConstant', () => {
  it('gives values[i] for boundaries[i−1] < step ≤ boundaries[i] (Keras)', () => {
    const s = piecewiseConstant({ boundaries: [100, 200], values: [0.1, 0.01, 0.001] });
    expect([0, 100, 101, 200, 201, 1e9].map(s)).toEqual([0.1, 0.1, 0.01, 0.01, 0.001, 0.001]);
  });
  it('rejects mismatched lengths, unsorted boundaries and bad values', () => {
    expect(() => piecewiseConstant({ boundaries: [1], values: [1] })).toThrow(GradstreamError);
    expect(() => piecewiseConstant({ boundaries: [1], values: [1] })).toThrow('piecewiseConstant.values: expected 2 numbers (one more than boundaries), received 1');
    expect(() => piecewiseConstant({ boundaries: [5, 5], values: [1, 2, 3] })).toThrow('piecewiseConstant.boundaries[1]: expected a number > 5, received 5');
    expect(() => piecewiseConstant({ boundaries: [5], values: [1, -2] })).toThrow('piecewiseConstant.values[1]: expected a finite number ≥ 0, received -2');
  });
});

describe('cosineDecay', () => {
  it('decays from lr to alpha · lr over decaySteps, then stays', () => {
    const s = cosineDecay({ lr: 1, decaySteps: 100, alpha: 0.1 });
    expect(s(0)).toBe(1);
    expect(s(50)).toBeCloseTo(0.55, 15);
    expect(s(100)).toBeCloseTo(0.1, 15);
    expect(s(1000)).toBeCloseTo(0.1, 15);
  });
  it('warms up linearly from initialLr to lr over warmupSteps first', () => {
    const s = cosineDecay({ lr: 1, decaySteps: 10, warmupSteps: 4, initialLr: 0.2 });
    expect([0, 1, 2, 3, 4].map(s)).toEqual([0.2, 0.4, 0.6000000000000001, 0.8, 1]);
    expect(s(9)).toBeCloseTo(0.5, 15);
    expect(s(14)).toBeCloseTo(0, 15);
    expect(cosineDecay({ lr: 1, decaySteps: 10, warmupSteps: 2 })(1)).toBe(0.5);
  });
  it('rejects bad options', () => {
    expect(() => cosineDecay({ lr: 1, decaySteps: 10, alpha: 2 })).toThrow('cosineDecay.alpha: expected a number in [0, 1], received 2');
    expect(() => cosineDecay({ lr: 1, decaySteps: 10, warmupSteps: -1 })).toThrow('cosineDecay.warmupSteps: expected an integer ≥ 0, received -1');
  });
});
