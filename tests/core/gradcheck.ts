import { expect } from 'vitest';

/**
 * Numerical derivative of `f` with respect to `v[i]` by Ridders' method (central differences
 * extrapolated to step 0 over a shrinking sequence of steps, keeping the estimate with the smallest
 * error estimate; Numerical Recipes' `dfridr`). The first step is `h · max(0.1, |v[i]|)`; `v[i]`
 * is restored afterwards.
 */
export function numericDerivative(f: () => number, v: Float64Array, i: number, h = 1e-2): number {
  const x0 = v[i]!;
  const CON = 1.4;
  const CON2 = CON * CON;
  const NTAB = 10;
  const at = (d: number): number => {
    v[i] = x0 + d;
    return f();
  };
  let hh = h * Math.max(0.1, Math.abs(x0));
  const a: number[][] = Array.from({ length: NTAB }, () => new Array<number>(NTAB).fill(0));
  a[0]![0] = (at(hh) - at(-hh)) / (2 * hh);
  let err = Infinity;
  let ans = a[0]![0]!;
  for (let k = 1; k < NTAB; k++) {
    hh /= CON;
    a[0]![k] = (at(hh) - at(-hh)) / (2 * hh);
    let fac = CON2;
    for (let j = 1; j <= k; j++) {
      a[j]![k] = (a[j - 1]![k]! * fac - a[j - 1]![k - 1]!) / (fac - 1);
      fac *= CON2;
      const errt = Math.max(Math.abs(a[j]![k]! - a[j - 1]![k]!), Math.abs(a[j]![k]! - a[j - 1]![k - 1]!));
      if (errt <= err) {
        err = errt;
        ans = a[j]![k]!;
      }
    }
    if (Math.abs(a[k]![k]! - a[k - 1]![k - 1]!) >= 2 * err) break;
  }
  v[i] = x0;
  return ans;
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
