import { describe, expect, it } from 'vitest';
import { constant } from '../../../src/index.js';

describe('constant', () => {
  it('gives lr at every step', () => {
    const s = constant(0.01);
    expect([0, 1, 1e6].map(s)).toEqual([0.01, 0.01, 0.01]);
    expect(() => constant(-1)).toThrow('constant.lr: expected a finite number ≥ 0, received -1');
  });
});
