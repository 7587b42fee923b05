import { expect } from 'vitest';

/**
 * Numerical derivative of `f` with respect to `v[i]` by the 4-point central difference
 * `(8(f(+h) − f(−h)) − (f(+2h) − f(−2h))) / 12h` (error O(h⁴)); `v[i]` is restored afterwards.
 */
export function numericDerivative(f: () => number, v: Float64Array, i: number, h = 1e-3): number {
  const x0 = v[i]!;
  const step = h * Math.max(1, Math.abs(x0));
  const at = (d: number): number => {
    v[i] = x0 + d;
    return f();
  };
  const d1 = at(step) - at(-step);
  const d2 = at(2 * step) - at(-2 * step);
  v[i] = x0;
  return (8 * d1 - d2) / (12 * step);
}

/**
 * `|a − b| / max(floor, |a| + |b|)`: relative, and absolute below `floor`. The floor keeps
 * entries far smaller than the rest of the gradient (where finite differences only see rounding
 * noise of f) from failing on noise: {@link expectGradient} sets it to
 * `max(1e-8, 1e-6 · max|gradient|)`.
 */
export function relError(a: number, b: number, floor = 1e-8): number {
  return Math.abs(a - b) / Math.max(floor, Math.abs(a) + Math.abs(b));
}

/** Checks `analytic` against the numerical gradient of `f` over every entry of `v`. */
export function expectGradient(label: string, f: () => number, v: Float64Array, analytic: ArrayLike<number>, tol = 1e-6): void {
  expect(analytic.length, `${label}: length`).toBe(v.length);
  let scale = 0;
  for (let i = 0; i < analytic.length; i++) scale = Math.max(scale, Math.abs(analytic[i]!));
  const floor = Math.max(1e-8, 1e-6 * scale);
  for (let i = 0; i < v.length; i++) {
    const num = numericDerivative(f, v, i);
    const err = relError(analytic[i]!, num, floor);
    if (!(err < tol)) expect.fail(`${label}[${i}]: analytic ${analytic[i]}, numeric ${num} (relative error ${err} ≥ ${tol})`);
  }
}
