import { describe, expect, it } from 'vitest';
import {
  createRng,
  fromValues,
  glorotNormal,
  glorotUniform,
  heNormal,
  heUniform,
  lecunNormal,
  lecunUniform,
  ones,
  zeros,
  type Initializer,
} from '../../src/index.js';
import { TRUNCATED_NORMAL_STDDEV } from '../../src/core/initializers.js';

const N = 200_000;
function stats(init: Initializer, fanIn: number, fanOut: number): { mean: number; std: number; min: number; max: number } {
  const out = new Float64Array(N);
  init(out, fanIn, fanOut, createRng(11));
  let mean = 0;
  for (const v of out) mean += v;
  mean /= N;
  let v2 = 0;
  for (const v of out) v2 += (v - mean) ** 2;
  let min = Infinity;
  let max = -Infinity;
  for (const v of out) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { mean, std: Math.sqrt(v2 / N), min, max };
}

describe('initializers (Keras formulas)', () => {
  it('uniform ones fill U(−limit, limit)', () => {
    const cases: [Initializer, number][] = [
      [glorotUniform, Math.sqrt(6 / (30 + 50))],
      [heUniform, Math.sqrt(6 / 30)],
      [lecunUniform, Math.sqrt(3 / 30)],
    ];
    for (const [init, limit] of cases) {
      const s = stats(init, 30, 50);
      expect(s.min).toBeGreaterThanOrEqual(-limit);
      expect(s.max).toBeLessThan(limit);
      expect(s.max).toBeGreaterThan(limit * 0.999);
      expect(Math.abs(s.mean)).toBeLessThan(0.01 * limit);
      expect(s.std).toBeCloseTo(limit / Math.sqrt(3), 2);
    }
  });

  it('normal ones are truncated at 2 stddev with the 0.8796 correction, so the variance is the formula', () => {
    const cases: [Initializer, number][] = [
      [glorotNormal, Math.sqrt(2 / (30 + 50))],
      [heNormal, Math.sqrt(2 / 30)],
      [lecunNormal, Math.sqrt(1 / 30)],
    ];
    for (const [init, target] of cases) {
      const s = stats(init, 30, 50);
      const bound = (2 * target) / TRUNCATED_NORMAL_STDDEV;
      expect(s.min).toBeGreaterThanOrEqual(-bound);
      expect(s.max).toBeLessThanOrEqual(bound);
      expect(s.max).toBeGreaterThan(bound * 0.99);
      expect(Math.abs(s.std / target - 1)).toBeLessThan(0.01);
    }
  });

  it('constants and explicit values', () => {
    const out = new Float64Array(4).fill(3);
    zeros(out, 2, 2, createRng(1));
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
    ones(out, 2, 2, createRng(1));
    expect(Array.from(out)).toEqual([1, 1, 1, 1]);
    fromValues([
      [1, 2],
      [3, 4],
    ])(out, 2, 2, createRng(1));
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
    fromValues(new Float64Array([4, 3, 2, 1]))(out, 2, 2, createRng(1));
    expect(Array.from(out)).toEqual([4, 3, 2, 1]);
    expect(() => fromValues([1, 2])(out, 2, 2, createRng(1))).toThrow(/expected 4 values, received 2/);
    expect(() => fromValues([1, 2], 'w', 4)).toThrow('w: expected 4 values, received 2');
    expect(() => fromValues(null as never)).toThrow('fromValues: expected an array of numbers (or of rows of numbers), received null');
    expect(() => fromValues([1, null] as never)).toThrow('fromValues[1]: expected a finite number, received null');
    expect(() => fromValues([[1], 2] as never)).toThrow('fromValues[1]: expected a row of numbers (as row 0), received 2');
    expect(() => fromValues([1], Object.create(null) as never)).toThrow(
      'fromValues(path): expected a string (where errors say the values came from), received an object',
    );
    expect(() => fromValues([1], 'w', -1)).toThrow(
      'fromValues(size): expected an integer ≥ 0 (the number of values), or nothing, received -1',
    );
  });

  it('is deterministic for a seed', () => {
    const a = new Float64Array(10);
    const b = new Float64Array(10);
    heNormal(a, 5, 2, createRng(9));
    heNormal(b, 5, 2, createRng(9));
    expect(a).toEqual(b);
  });
});
