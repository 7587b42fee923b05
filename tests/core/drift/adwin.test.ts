import { describe, expect, it } from 'vitest';
import { createAdwin } from '../../../src/index.js';
import { noisy } from '../../helpers/noisy.js';

describe('createAdwin', () => {
  it('detects a switch of the mean within two clocks (64 values) and keeps only the new part', () => {
    for (const seed of [1, 2, 3]) {
      const adwin = createAdwin();
      const values = noisy(seed, [
        [1000, 0.2],
        [1000, 1.0],
      ]);
      const at: number[] = [];
      values.forEach((v, i) => adwin.update(v) && at.push(i + 1));
      expect(at.length).toBeGreaterThanOrEqual(1);
      expect(at[0]! - 1000).toBeGreaterThan(0);
      expect(at[0]! - 1000).toBeLessThanOrEqual(64);
      expect(adwin.width()).toBeLessThanOrEqual(1000 + 64);
      expect(adwin.mean()).toBeCloseTo(1.0, 1);
    }
  });

  it('detects a decrease too, and nothing on 5,000 stationary values', () => {
    const down = createAdwin();
    const at: number[] = [];
    noisy(4, [
      [500, 1.0],
      [500, 0.2],
    ]).forEach((v, i) => down.update(v) && at.push(i + 1));
    expect(at[0]! - 500).toBeLessThanOrEqual(64);
    for (const seed of [11, 12, 13]) {
      const quiet = createAdwin();
      const hits = noisy(seed, [[5000, 0.2]]).filter((v) => quiet.update(v)).length;
      expect(hits).toBe(0);
      expect(quiet.width()).toBe(5000);
    }
  });

  it('tests only every clock values after the grace period, within maxWindow', () => {
    const adwin = createAdwin({ clock: 4, gracePeriod: 8, minWindowLength: 2, maxWindow: 32 });
    const seen: boolean[] = [];
    for (let i = 0; i < 12; i++) seen.push(adwin.update(0));
    // At the 16th value (12 zeros, 4 × 100), by hand: v = 1875, δ′ = ln(2 ln 16 / 0.002) = 7.93,
    // 1/m = 1/11 + 1/3 → ε = 114.6 > 100: no cut. At the 20th (8 × 100): v = 2400, δ′ = 8.00,
    // 1/m = 1/11 + 1/7 → ε = 96.0 < 100: a cut, and the 12 zeros leave.
    for (let i = 0; i < 7; i++) seen.push(adwin.update(100));
    expect(seen.some(Boolean)).toBe(false);
    expect(adwin.update(100)).toBe(true);
    expect(adwin.width()).toBe(8);
    expect(adwin.mean()).toBeCloseTo(100, 10);
    for (let i = 0; i < 100; i++) adwin.update(100);
    expect(adwin.width()).toBe(32); // maxWindow
  });

  it('validates its options', () => {
    expect(() => createAdwin({ delta: 0 })).toThrow('driftDetector.delta: expected a number in (0, 1), received 0');
    expect(() => createAdwin({ clock: 0 })).toThrow('driftDetector.clock: expected an integer ≥ 1, received 0');
    expect(() => createAdwin({ minWindowLength: 0 })).toThrow('driftDetector.minWindowLength');
    expect(() => createAdwin({ gracePeriod: -1 })).toThrow('driftDetector.gracePeriod');
    expect(() => createAdwin({ maxWindow: 5 })).toThrow(
      'driftDetector.maxWindow: expected an integer ≥ 2 · minWindowLength (10), received 5',
    );
  });
});
