import { formatNumber, linearTicks, logTicks, type Ticks } from './niceTicks.js';
import type { LossLog } from './readLossLog.js';

/** Options of {@link lossPlotSvg}. */
export interface LossPlotOptions {
  /** The title (default "Training loss"). */
  readonly title?: string;
  /** A line under the title (e.g. the log's file name). */
  readonly source?: string;
  /** A logarithmic loss axis. */
  readonly logY?: boolean;
  /** Exponential smoothing of the losses, in [0, 1) (TensorBoard's slider; 0 = none). */
  readonly smooth?: number;
  readonly width?: number;
  readonly height?: number;
}

// Okabe–Ito colours: distinguishable with every common colour-vision deficiency.
const COLORS = { loss: '#0072B2', valLoss: '#D55E00', lr: '#009E73', grid: '#e6e8ec', axis: '#4b5563', text: '#1f2937', muted: '#6b7280' };
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

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

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round to 0.1 px: keeps the file small. */
function px(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** The points whose value passes `ok` (a log's sparse columns — val loss every n steps — are joined up). */
function present(xs: Float64Array, ys: Float64Array, ok: (v: number) => boolean): [Float64Array, Float64Array] {
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
function screenPoints(xs: Float64Array, ys: Float64Array, sx: (v: number) => number, sy: (v: number) => number): [number, number][] {
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

function pathData(points: readonly [number, number][]): string {
  let d = '';
  for (let i = 0; i < points.length; i++) d += `${i === 0 ? 'M' : 'L'}${px(points[i]![0])},${px(points[i]![1])}`;
  return d;
}

function finiteRange(values: Float64Array, ok: (v: number) => boolean): [number, number] | undefined {
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

function hasValues(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) return true;
  return false;
}

/**
 * Renders a training log as an SVG line chart: the loss (and the validation loss) against the
 * step on the left axis — linear or logarithmic — and the learning rate on a right axis, with
 * round ticks, grid lines, axis labels, a title with a summary line, and a legend. Smoothing draws
 * the smoothed curves over faint raw ones. Pure: returns the SVG text.
 */
export function lossPlotSvg(log: LossLog, options: LossPlotOptions = {}): string {
  const W = options.width ?? 880;
  const H = options.height ?? 500;
  const logY = options.logY ?? false;
  const smooth = options.smooth ?? 0;
  const hasVal = hasValues(log.valLoss);
  const hasLr = hasValues(log.lr);
  const okY = logY ? (v: number) => Number.isFinite(v) && v > 0 : (v: number) => Number.isFinite(v);
  const m = { left: 72, right: hasLr ? 78 : 28, top: 70, bottom: 58 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;

  // x: steps
  const x0 = log.step[0]!;
  const x1 = log.step[log.length - 1]!;
  const xt = linearTicks(x0, x1 > x0 ? x1 : x0 + 1, Math.max(3, Math.round(pw / 110)), (v, s, maxAbs) =>
    formatNumber(v, Math.max(s, 1), maxAbs),
  );
  const xmin = x1 > x0 ? x0 : xt.min;
  const xmax = x1 > x0 ? x1 : xt.max;
  const sx = (v: number): number => m.left + ((v - xmin) / (xmax - xmin)) * pw;
  const xTicks = xt.values.filter((v) => v >= xmin - 1e-9 && v <= xmax + 1e-9);

  // y: losses (raw values decide the range, so smoothing never hides a spike's scale)
  const lossRange = finiteRange(log.loss, okY);
  const valRange = hasVal ? finiteRange(log.valLoss, okY) : undefined;
  let ylo = Math.min(lossRange?.[0] ?? 1, valRange?.[0] ?? Infinity);
  let yhi = Math.max(lossRange?.[1] ?? 1, valRange?.[1] ?? -Infinity);
  let yt: Ticks;
  if (logY) yt = logTicks(ylo, yhi);
  else {
    if (ylo > 0 && ylo < 0.35 * yhi) ylo = 0; // anchor at 0 when the curve comes close to it
    yt = linearTicks(ylo, yhi, Math.max(3, Math.round(ph / 70)));
    ylo = yt.min;
    yhi = yt.max;
  }
  const [ymin, ymax] = logY ? [Math.log10(yt.min), Math.log10(yt.max)] : [yt.min, yt.max];
  const sy = (v: number): number => m.top + ph - (((logY ? Math.log10(v) : v) - ymin) / (ymax - ymin)) * ph;

  // right y: learning rate
  let lrTicks: Ticks | undefined;
  let slr = (v: number): number => v;
  if (hasLr) {
    const r = finiteRange(log.lr, Number.isFinite)!;
    // anchored at 0 when the rate comes close to it, or is constant
    lrTicks = linearTicks(
      r[0] > 0 && (r[0] < 0.35 * r[1] || r[0] === r[1]) ? 0 : r[0],
      r[0] === r[1] ? r[1] * 1.2 : r[1],
      Math.max(3, Math.round(ph / 70)),
    );
    const [lo, hi] = [lrTicks.min, lrTicks.max];
    slr = (v: number) => m.top + ph - ((v - lo) / (hi - lo)) * ph;
  }

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family='${FONT}' role="img" aria-labelledby="title desc">`,
  );
  const title = options.title ?? 'Training loss';
  // summary: steps, final and best loss
  let best = Number.NaN;
  let bestStep = Number.NaN;
  for (let i = 0; i < log.length; i++) {
    const v = log.loss[i]!;
    if (Number.isFinite(v) && !(v >= best)) {
      best = v;
      bestStep = log.step[i]!;
    }
  }
  const finalLoss = log.loss[log.length - 1]!;
  const summary = [
    options.source,
    `${log.length.toLocaleString('en-US')} logged steps (${x0.toLocaleString('en-US')}–${x1.toLocaleString('en-US')})`,
    `final loss ${Number.isFinite(finalLoss) ? finalLoss.toPrecision(4) : String(finalLoss)}`,
    Number.isFinite(best) ? `best ${best.toPrecision(4)} at step ${bestStep.toLocaleString('en-US')}` : undefined,
    log.reason === undefined ? undefined : `stopped: ${log.reason}`,
  ]
    .filter((s): s is string => s !== undefined)
    .join('  ·  ');
  out.push(`<title id="title">${esc(title)}</title><desc id="desc">${esc(summary)}</desc>`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${m.left}" y="30" font-size="19" font-weight="600" fill="${COLORS.text}">${esc(title)}</text>`);
  out.push(`<text x="${m.left}" y="50" font-size="12.5" fill="${COLORS.muted}">${esc(summary)}</text>`);

  // grid and ticks
  out.push(`<g font-size="12" fill="${COLORS.muted}">`);
  for (let i = 0; i < yt.values.length; i++) {
    const y = sy(yt.values[i]!);
    const major = !logY || Number.isInteger(Math.round(Math.log10(yt.values[i]!) * 1e9) / 1e9);
    out.push(
      `<line x1="${m.left}" x2="${m.left + pw}" y1="${px(y)}" y2="${px(y)}" stroke="${COLORS.grid}" stroke-width="${major ? 1 : 0.6}"/>`,
    );
    out.push(`<text x="${m.left - 8}" y="${px(y + 4)}" text-anchor="end">${esc(yt.labels[i]!)}</text>`);
  }
  for (const v of xTicks) {
    const x = sx(v);
    out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${m.top}" y2="${m.top + ph}" stroke="${COLORS.grid}"/>`);
    out.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${m.top + ph}" y2="${m.top + ph + 5}" stroke="${COLORS.axis}"/>`);
    out.push(`<text x="${px(x)}" y="${m.top + ph + 20}" text-anchor="middle">${esc(xt.labels[xt.values.indexOf(v)]!)}</text>`);
  }
  if (lrTicks !== undefined) {
    for (let i = 0; i < lrTicks.values.length; i++) {
      const y = slr(lrTicks.values[i]!);
      out.push(`<line x1="${m.left + pw}" x2="${m.left + pw + 5}" y1="${px(y)}" y2="${px(y)}" stroke="${COLORS.lr}"/>`);
      out.push(`<text x="${m.left + pw + 8}" y="${px(y + 4)}" fill="${COLORS.lr}">${esc(lrTicks.labels[i]!)}</text>`);
    }
  }
  out.push('</g>');

  // axes and their labels
  out.push(
    `<g stroke="${COLORS.axis}" stroke-width="1.2" fill="none"><path d="M${m.left},${m.top}V${m.top + ph}H${m.left + pw}"/>${hasLr ? `<path d="M${m.left + pw},${m.top}V${m.top + ph}" stroke="${COLORS.lr}"/>` : ''}</g>`,
  );
  out.push(`<text x="${m.left + pw / 2}" y="${H - 14}" font-size="13" text-anchor="middle" fill="${COLORS.text}">step</text>`);
  out.push(
    `<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" font-size="13" text-anchor="middle" fill="${COLORS.text}">loss${logY ? ' (log scale)' : ''}</text>`,
  );
  if (hasLr)
    out.push(
      `<text transform="translate(${W - 14} ${m.top + ph / 2}) rotate(90)" font-size="13" text-anchor="middle" fill="${COLORS.lr}">learning rate</text>`,
    );

  // series, clipped to the plot area
  const drawn: { points: [number, number][]; color: string; width: number; opacity?: number; dash?: string }[] = [];
  if (hasLr) {
    const [lx, ly] = present(log.step, log.lr, Number.isFinite);
    drawn.push({ points: screenPoints(lx, ly, sx, slr), color: COLORS.lr, width: 1.6, dash: '6 4' });
  }
  const series: [Float64Array, string][] = [[log.loss, COLORS.loss]];
  if (hasVal) series.push([log.valLoss, COLORS.valLoss]);
  for (const [values, color] of series) {
    const [xs, ys] = present(log.step, values, okY);
    if (smooth > 0) {
      drawn.push({ points: screenPoints(xs, ys, sx, sy), color, width: 1.2, opacity: 0.28 });
      drawn.push({ points: screenPoints(xs, smoothSeries(ys, smooth), sx, sy), color, width: 2.2 });
    } else drawn.push({ points: screenPoints(xs, ys, sx, sy), color, width: 2 });
  }
  out.push(`<clipPath id="plot"><rect x="${m.left - 4}" y="${m.top - 4}" width="${pw + 8}" height="${ph + 8}"/></clipPath>`);
  out.push(`<g clip-path="url(#plot)" fill="none" stroke-linejoin="round" stroke-linecap="round">`);
  for (const d of drawn) {
    out.push(
      `<path d="${pathData(d.points)}" stroke="${d.color}" stroke-width="${d.width}"${d.opacity === undefined ? '' : ` stroke-opacity="${d.opacity}"`}${d.dash === undefined ? '' : ` stroke-dasharray="${d.dash}"`}/>`,
    );
    // few points: mark each one (a single point would draw nothing at all)
    if (d.opacity === undefined && d.dash === undefined && d.points.length <= 40) {
      for (const [x, y] of d.points)
        out.push(`<circle cx="${px(x)}" cy="${px(y)}" r="3" fill="${d.color}" stroke="#ffffff" stroke-width="1"/>`);
    }
  }
  out.push('</g>');

  // legend: in the plot corner the curves cross least
  const entries: [string, string, boolean][] = [[`loss${smooth > 0 ? ` (smoothed ${smooth})` : ''}`, COLORS.loss, false]];
  if (hasVal) entries.push([`validation loss${smooth > 0 ? ` (smoothed ${smooth})` : ''}`, COLORS.valLoss, false]);
  if (hasLr) entries.push(['learning rate (right axis)', COLORS.lr, true]);
  const lw = 34 + Math.max(...entries.map((e) => e[0].length)) * 6.6;
  const lh = entries.length * 20 + 10;
  const corners: [number, number][] = [
    [m.left + pw - lw - 10, m.top + 10],
    [m.left + pw - lw - 10, m.top + ph - lh - 10],
    [m.left + 10, m.top + ph - lh - 10],
    [m.left + 10, m.top + 10],
  ];
  let [lx, ly] = corners[0]!;
  let fewest = Infinity;
  for (const [cx, cy] of corners) {
    let n = 0;
    for (const d of drawn) for (const [x, y] of d.points) if (x >= cx - 6 && x <= cx + lw + 6 && y >= cy - 6 && y <= cy + lh + 6) n++;
    if (n < fewest) {
      fewest = n;
      [lx, ly] = [cx, cy];
    }
  }
  out.push(
    `<g font-size="12.5" fill="${COLORS.text}"><rect x="${px(lx)}" y="${px(ly)}" width="${px(lw)}" height="${lh}" rx="5" fill="#ffffff" fill-opacity="0.92" stroke="${COLORS.grid}"/>`,
  );
  entries.forEach(([label, color, dashed], i) => {
    const y = ly + 19 + i * 20;
    out.push(
      `<line x1="${px(lx + 10)}" x2="${px(lx + 30)}" y1="${px(y - 4)}" y2="${px(y - 4)}" stroke="${color}" stroke-width="2.4"${dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
    );
    out.push(`<text x="${px(lx + 37)}" y="${px(y)}">${esc(label)}</text>`);
  });
  out.push('</g>');
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
