/** The points whose value passes `ok` (a log's sparse columns — val loss every n steps — are joined up). */
export function present(xs: Float64Array, ys: Float64Array, ok: (v: number) => boolean): [Float64Array, Float64Array] {
  let n = 0;
  for (let i = 0; i < ys.length; i++) if (ok(ys[i]!)) n++;
  const px = new Float64Array(n);
  const py = new Float64Array(n);
  n = 0;
  for (let i = 0; i < ys.length; i++) {
    if (!ok(ys[i]!)) continue;
    px[n] = xs[i]!;
    py[n++] = ys[i]!;
  }
  return [px, py];
}

/**
 * Screen points of a series: with more points than pixels, each pixel column keeps its first,
 * lowest, highest and last point, so spikes stay visible and the file stays small.
 */
export function screenPoints(xs: Float64Array, ys: Float64Array, sx: (v: number) => number, sy: (v: number) => number): [number, number][] {
  const out: [number, number][] = [];
  let bucket: [number, number][] = [];
  const flush = (): void => {
    if (bucket.length === 0) return;
    let lo = bucket[0]!;
    let hi = bucket[0]!;
    for (const p of bucket) {
      if (p[1] > lo[1]) lo = p; // screen y grows downwards
      if (p[1] < hi[1]) hi = p;
    }
    const keep = bucket.length <= 4 ? bucket : [bucket[0]!, ...(lo[0] <= hi[0] ? [lo, hi] : [hi, lo]), bucket[bucket.length - 1]!];
    for (const p of keep) if (out[out.length - 1] !== p) out.push(p);
    bucket = [];
  };
  let col = Number.NaN;
  for (let i = 0; i < xs.length; i++) {
    const X = sx(xs[i]!);
    const c = Math.round(X);
    if (c !== col) {
      flush();
      col = c;
    }
    bucket.push([X, sy(ys[i]!)]);
  }
  flush();
  return out;
}

/** The lowest and highest value passing `ok`, or undefined when none does. */
export function finiteRange(values: Float64Array, ok: (v: number) => boolean): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!ok(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/** Whether a column has a finite value. */
export function hasValues(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) return true;
  return false;
}
