import { describe, expect, it } from 'vitest';
import { GradstreamError, accuracy, meanAbsoluteError, r2, rmse } from '../../../src/index.js';

const f = (...v: number[]) => Float64Array.from(v);

describe('accuracy', () => {
  it('binary: thresholds the one output column (0.5 by default, 0 for logits)', () => {
    expect(accuracy(f(0.9, 0.4, 0.6, 0.1), f(1, 0, 0, 0), 4, 1)).toBe(0.75);
    expect(accuracy(f(2, -1, 0.3, -0.2), f(1, 0, 0, 0), 4, 1, { threshold: 0 })).toBe(0.75);
  });

  it('multi-class: arg-max against labels or one-hot rows', () => {
    const pred = f(0.1, 0.7, 0.2, 0.5, 0.3, 0.2, 0.1, 0.1, 0.8);
    expect(accuracy(pred, f(1, 0, 0), 3, 3)).toBeCloseTo(2 / 3, 15);
    expect(accuracy(pred, f(0, 1, 0, 1, 0, 0, 0, 0, 1), 3, 3)).toBe(1);
  });

  it('checks the target shape', () => {
    expect(() => accuracy(f(1, 2, 3, 4), f(1, 2, 3), 2, 2)).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: accuracy(target): expected 2 class labels or 4 values (2 rows × 2 outputs), received 3]`,
    );
    expect(accuracy(f(), f(), 0, 2)).toBeNaN();
  });
});

describe('regression metrics', () => {
  it('mae, rmse', () => {
    expect(meanAbsoluteError(f(1, -2, 3, 0), f(0, 0, 0, 0), 2, 2)).toBe(1.5);
    expect(rmse(f(3, -4), f(0, 0), 2, 1)).toBe(Math.sqrt(12.5));
    expect(() => rmse(f(1), f(1, 2), 1, 1)).toThrow(GradstreamError);
    expect(() => meanAbsoluteError(f(1), f(1, 2), 1, 1)).toThrow(/meanAbsoluteError\(target\)/);
  });

  it('r2: 1 − SSres/SStot per column, averaged; constant columns as scikit-learn', () => {
    // column 0: t = 1,2,3 (mean 2, SStot 2), p = 1,2,4 → SSres 1 → 0.5; column 1: perfect → 1
    expect(r2(f(1, 5, 2, 6, 4, 7), f(1, 5, 2, 6, 3, 7), 3, 2)).toBe(0.75);
    expect(r2(f(1, 1), f(1, 1), 2, 1)).toBe(1);
    expect(r2(f(1, 2), f(1, 1), 2, 1)).toBe(0);
    expect(r2(f(2, 2, 2), f(1, 2, 3), 3, 1)).toBe(0); // predicting the mean
    expect(() => r2(f(1), f(1, 2), 1, 1)).toThrow(GradstreamError);
  });
});
