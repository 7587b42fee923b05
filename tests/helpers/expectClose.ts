import { expect } from 'vitest';

/**
 * Asserts `actual[i]` is within `tol` of `expected[i]` (absolute, or relative to |expected| when
 * `relative`), naming the first index that differs.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, relative = false): void {
  expect(actual.length, 'length').toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const err = Math.abs(a - e) / (relative ? Math.max(Math.abs(e), 1e-300) : 1);
    if (!(err <= tol)) expect.fail(`index ${i}: expected ${e}, received ${a} (error ${err} > ${tol})`);
  }
}
