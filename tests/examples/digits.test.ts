import { describe, expect, it } from 'vitest';
import { digitsModel, loadDigits, trainDigits } from '../../examples/digits.js';
import { summary } from '../../src/index.js';

describe('examples/digits.ts (UCI optical digits, a small convnet)', () => {
  it('reads 1,797 images of 64 pixels in [0, 1] with labels 0–9', () => {
    const { x, y } = loadDigits();
    expect(x.length).toBe(1797);
    expect(x.every((row) => row.length === 64 && row.every((v) => v >= 0 && v <= 1))).toBe(true);
    expect(new Set(y)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(summary(digitsModel())).toContain('total: 6090 parameters; input [batch, 64] → output [batch, 10]');
  });

  it('reaches ≥ 93 % held-out accuracy in 3 epochs (the example runs 20 for ≥ 97 %)', async () => {
    const { accuracy, steps } = await trainDigits(3);
    expect(steps).toBe(135);
    expect(accuracy).toBeGreaterThanOrEqual(0.93);
  });
});
