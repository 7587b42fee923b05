/** Exponential moving average with bias correction (TensorBoard's smoothing); NaNs pass through. */
export function smoothSeries(values: Float64Array, a: number): Float64Array {
  const out = new Float64Array(values.length);
  let last = 0;
  let weight = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * a + (1 - a) * v;
    weight = weight * a + (1 - a);
    out[i] = last / weight;
  }
  return out;
}
