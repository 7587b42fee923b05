/** Axis ticks: values, their labels, and the domain they span. */
export interface Ticks {
  readonly values: number[];
  readonly labels: string[];
  readonly min: number;
  readonly max: number;
}

/** The "nice" number (1, 2, 2.5 or 5 × 10^k) nearest to `x` (Heckbert, Graphics Gems 1990). */
function niceStep(x: number): number {
  const e = Math.floor(Math.log10(x));
  const f = x / 10 ** e;
  const nice = f < 1.5 ? 1 : f < 2.25 ? 2 : f < 3.5 ? 2.5 : f < 7.5 ? 5 : 10;
  return nice * 10 ** e;
}

/**
 * About `count` evenly spaced round ticks covering `[lo, hi]`, with the domain widened to the
 * outer ticks. A degenerate range is widened around its value.
 */
export function linearTicks(
  lo: number,
  hi: number,
  count: number,
  format: (v: number, step: number, maxAbs: number) => string = formatNumber,
): Ticks {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep((hi - lo) / Math.max(1, count - 1));
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const values: number[] = [];
  for (let k = first; k <= last; k++) values.push(Number((k * step).toPrecision(12)));
  const maxAbs = Math.max(Math.abs(values[0]!), Math.abs(values[values.length - 1]!));
  return { values, labels: values.map((v) => format(v, step, maxAbs)), min: values[0]!, max: values[values.length - 1]! };
}

/**
 * Log-scale ticks covering `[lo, hi]` (both > 0): decades, plus 2 and 5 × 10^k when the range
 * spans few decades; the domain is widened to whole decades.
 */
export function logTicks(lo: number, hi: number): Ticks {
  let e0 = Math.floor(Math.log10(lo) + 1e-12);
  let e1 = Math.ceil(Math.log10(hi) - 1e-12);
  if (e1 <= e0) e1 = e0 + 1;
  const decades = e1 - e0;
  const stride = Math.ceil(decades / 8); // at most ~8 labelled decades
  e0 = Math.floor(e0 / stride) * stride;
  e1 = Math.ceil(e1 / stride) * stride;
  const values: number[] = [];
  for (let e = e0; e <= e1; e += stride) {
    values.push(Number((10 ** e).toPrecision(12)));
    if (decades <= 2 && e < e1) values.push(Number((2 * 10 ** e).toPrecision(12)), Number((5 * 10 ** e).toPrecision(12)));
  }
  return { values, labels: values.map(formatLogTick), min: 10 ** e0, max: 10 ** e1 };
}

function formatLogTick(v: number): string {
  const e = Math.log10(v);
  if (Math.abs(e) >= 4 && Number.isInteger(Math.round(e * 1e9) / 1e9)) return `1e${Math.round(e)}`;
  return formatNumber(v, v);
}

/**
 * A tick label: as many decimals as the step needs; on an axis reaching `maxAbs` ≥ 10,000 (with
 * steps of at least 1,000) every label is in k, from 1,000,000 in M.
 */
export function formatNumber(v: number, step: number, maxAbs = Math.abs(v)): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (maxAbs >= 1e6 && Math.abs(step) >= 1e5) return `${trim((v / 1e6).toFixed(6))}M`;
  if (maxAbs >= 1e4 && Math.abs(step) >= 1e3) return `${trim((v / 1e3).toFixed(3))}k`;
  if (a < 1e-4) return v.toExponential(1).replace('.0e', 'e').replace('e-0', 'e-');
  return trim(v.toFixed(decimalsFor(step, 0)));
}

/** Decimals that show `step` exactly (0 for whole numbers), at least `min`. */
function decimalsFor(step: number, min: number): number {
  const s = Math.abs(step);
  if (s === 0 || s >= 1) return min;
  let d = Math.max(0, -Math.floor(Math.log10(s)));
  while (d < 12 && Math.abs(Math.round(s * 10 ** d) - s * 10 ** d) > 1e-6) d += 1;
  return Math.max(d, min);
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
