/** `out[i] = a[i]` for `i < n` (no view object made, unlike `out.set(a.subarray(0, n))`). */
export function copyValues(out: Float64Array, a: Readonly<Float64Array>, n: number): void {
  for (let i = 0; i < n; i++) out[i] = a[i]!;
}
