/** Options of {@link terminalCurve}. */
export interface TerminalCurveOptions {
  /** Characters across the plot (default 56). */
  readonly width?: number;
  /** Lines of the plot (default 8). */
  readonly height?: number;
}

// Braille cells are 2 dots wide and 4 high; bit of dot (column, row).
const DOT = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
];

function short(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

/**
 * A small loss curve for a terminal, drawn with Braille dots (2×4 per character): the loss against
 * the step, on a log scale when it spans more than two decades, with the highest and lowest (mean) loss
 * on the left axis and the first and last step below; each dot column shows the mean of its losses.
 * Non-finite losses are left out. Returns the lines (none when there is nothing to draw).
 */
export function terminalCurve(steps: Float64Array, losses: Float64Array, options: TerminalCurveOptions = {}): string[] {
  const width = options.width ?? 56;
  const height = options.height ?? 8;
  let rawLo = Infinity;
  let rawHi = -Infinity;
  let n = 0;
  for (let i = 0; i < losses.length; i++) {
    const v = losses[i]!;
    if (!Number.isFinite(v)) continue;
    n++;
    if (v < rawLo) rawLo = v;
    if (v > rawHi) rawHi = v;
  }
  if (n < 2) return [];
  const logScale = rawLo > 0 && rawHi / rawLo > 100;
  const { sum, count } = columnMeans(steps, losses, width, logScale);
  let flo = Infinity;
  let fhi = -Infinity;
  for (let x = 0; x < sum.length; x++) {
    if (count[x] === 0) continue;
    const m = sum[x]!;
    if (m < flo) flo = m;
    if (m > fhi) fhi = m;
  }
  if (!(fhi > flo)) fhi = flo + 1;
  const cells = polyline(sum, count, width, height, flo, fhi);
  const back = (v: number): number => (logScale ? 10 ** v : v);
  return framed(cells, width, height, short(back(fhi)), short(back(flo)), steps, logScale);
}

/**
 * The mean of each dot column's finite losses (in the plotted scale), and how many it has. More
 * points than characters are smoothed first by a centred moving average of one character's worth
 * of points, so noisy mini-batch losses read as a line.
 */
function columnMeans(
  steps: Float64Array,
  losses: Float64Array,
  width: number,
  logScale: boolean,
): { sum: Float64Array; count: Uint32Array } {
  const s0 = steps[0]!;
  const s1 = steps[steps.length - 1]! > s0 ? steps[steps.length - 1]! : s0 + 1;
  const X = width * 2;
  const xs: number[] = [];
  const vs: number[] = [];
  for (let i = 0; i < losses.length; i++) {
    const v = losses[i]!;
    if (!Number.isFinite(v)) continue;
    xs.push(Math.min(X - 1, Math.round(((steps[i]! - s0) / (s1 - s0)) * (X - 1))));
    vs.push(logScale ? Math.log10(v) : v);
  }
  const half = vs.length > width ? Math.floor(Math.ceil(vs.length / width) / 2) : 0;
  const sum = new Float64Array(X);
  const count = new Uint32Array(X);
  let windowSum = 0;
  let lo = 0;
  let hi = -1;
  for (let i = 0; i < vs.length; i++) {
    while (hi < Math.min(vs.length - 1, i + half)) windowSum += vs[++hi]!;
    while (lo < i - half) windowSum -= vs[lo++]!;
    sum[xs[i]!]! += windowSum / (hi - lo + 1);
    count[xs[i]!]! += 1;
  }
  for (let x = 0; x < X; x++) if (count[x] !== 0) sum[x]! /= count[x]!;
  return { sum, count };
}

/**
 * The Braille cells of a polyline through the columns' points, `fhi` at the top and `flo` at the
 * bottom: each column between two points gets the dots from the line's height at its left edge
 * to its height at its right edge.
 */
function polyline(sum: Float64Array, count: Uint32Array, width: number, height: number, flo: number, fhi: number): Uint8Array {
  const Y = height * 4;
  const cells = new Uint8Array(width * height);
  const set = (x: number, y: number): void => {
    cells[(y >> 2) * width + (x >> 1)]! |= DOT[x & 1]![y & 3]!;
  };
  const yOf = (m: number): number => Math.min(Y - 1, Math.max(0, Math.round(((fhi - m) / (fhi - flo)) * (Y - 1))));
  let px = -1;
  let pm = 0;
  for (let x = 0; x < sum.length; x++) {
    if (count[x] === 0) continue;
    const m = sum[x]!;
    if (px < 0) set(x, yOf(m));
    else {
      for (let c = px + 1; c <= x; c++) {
        const a = yOf(pm + ((m - pm) * (c - 1 - px)) / (x - px));
        const b = yOf(pm + ((m - pm) * (c - px)) / (x - px));
        for (let yy = Math.min(a, b); yy <= Math.max(a, b); yy++) set(c, yy);
      }
    }
    px = x;
    pm = m;
  }
  return cells;
}

/** The plot's lines: the cells with the loss axis (top and bottom labels) and the step axis below. */
function framed(
  cells: Uint8Array,
  width: number,
  height: number,
  top: string,
  bottom: string,
  steps: Float64Array,
  logScale: boolean,
): string[] {
  const pad = Math.max(top.length, bottom.length);
  const lines: string[] = [];
  for (let r = 0; r < height; r++) {
    let row = '';
    for (let c = 0; c < width; c++) row += String.fromCharCode(0x2800 + cells[r * width + c]!);
    const label = r === 0 ? top : r === height - 1 ? bottom : '';
    lines.push(`${label.padStart(pad)} ${r === 0 || r === height - 1 ? '┤' : '│'}${row}`);
  }
  const first = `step ${short(steps[0]!)}`;
  const last = short(steps[steps.length - 1]!);
  lines.push(`${' '.repeat(pad)} └${'─'.repeat(width)}`);
  lines.push(`${' '.repeat(pad)}  ${first}${last.padStart(Math.max(1, width - first.length))}${logScale ? '  (log scale)' : ''}`);
  return lines;
}
