import { describe, expect, it } from 'vitest';
import { createPageHinkley } from '../../../src/index.js';
import { noisy } from '../../helpers/noisy.js';

/** 1-based positions of the detections over `values`. */
function detections(update: (x: number) => boolean, values: readonly number[]): number[] {
  const at: number[] = [];
  values.forEach((v, i) => update(v) && at.push(i + 1));
  return at;
}

describe('createPageHinkley', () => {
  it('follows the test by hand (λ = 1, δ = 0, α = 1)', () => {
    // x: 0 0 0 1 1 → means 0 0 0 .25 .4 → S⁺: 0 0 0 .75 1.35 (min 0) → alarm on the 5th value
    const ph = createPageHinkley({ threshold: 1, delta: 0, alpha: 1, minInstances: 1 });
    expect(detections((x) => ph.update(x), [0, 0, 0, 1, 1])).toEqual([5]);
    // it starts afresh after an alarm: the next values form a new reference
    expect(detections((x) => ph.update(x), [5, 5, 5])).toEqual([]);
  });

  it('detects a decrease in mode down or both, not in mode up', () => {
    const values = [1, 1, 1, 0, 0, 0];
    // S⁻ with δ = 0: 0 0 0 −.75 −1.35 −1.75 (max 0) → alarm when 0 − S⁻ > 1: the 5th value
    expect(detections((x) => createPageHinkleyOnce.down.update(x), values)).toEqual([5]);
    expect(detections((x) => createPageHinkleyOnce.both.update(x), values)).toEqual([5]);
    expect(detections((x) => createPageHinkleyOnce.up.update(x), values)).toEqual([]);
  });

  it('detects a switch of the mean within 10 values, and nothing on 5,000 stationary values', () => {
    for (const seed of [1, 2, 3]) {
      const ph = createPageHinkley({ threshold: 5 });
      const at = detections(
        (x) => ph.update(x),
        noisy(seed, [
          [1000, 0.2],
          [1000, 1.0],
        ]),
      );
      expect(at.length).toBeGreaterThanOrEqual(1);
      expect(at[0]! - 1000).toBeGreaterThan(0);
      expect(at[0]! - 1000).toBeLessThanOrEqual(10);
      const quiet = createPageHinkley({ threshold: 5 });
      expect(detections((x) => quiet.update(x), noisy(seed + 10, [[5000, 0.2]]))).toEqual([]);
    }
  });

  it('waits for minInstances and validates its options', () => {
    const ph = createPageHinkley({ threshold: 1, delta: 0, alpha: 1, minInstances: 10 });
    expect(detections((x) => ph.update(x), [0, 0, 0, 9, 9, 9, 9, 9, 9, 9])).toEqual([10]);
    expect(() => createPageHinkley({ threshold: 0 })).toThrow('driftDetector.threshold: expected a finite number > 0, received 0');
    expect(() => createPageHinkley({ delta: -1 })).toThrow('driftDetector.delta: expected a finite number ≥ 0, received -1');
    expect(() => createPageHinkley({ alpha: 1.5 })).toThrow('driftDetector.alpha: expected a number in (0, 1], received 1.5');
    expect(() => createPageHinkley({ minInstances: 0.5 })).toThrow('driftDetector.minInstances: expected an integer ≥ 1, received 0.5');
    expect(() => createPageHinkley({ mode: 'sideways' as 'up' })).toThrow(
      `driftDetector.mode: expected 'up', 'down' or 'both', received "sideways"`,
    );
  });
});

const createPageHinkleyOnce = {
  up: createPageHinkley({ threshold: 1, delta: 0, alpha: 1, minInstances: 1, mode: 'up' }),
  down: createPageHinkley({ threshold: 1, delta: 0, alpha: 1, minInstances: 1, mode: 'down' }),
  both: createPageHinkley({ threshold: 1, delta: 0, alpha: 1, minInstances: 1, mode: 'both' }),
};
