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
 * the step, on a log scale when it spans more than two decades, with the highest and lowest loss
 * on the left axis and the first and last step below. Non-finite losses are left out. Returns the
 * lines (none when there is nothing to draw).
 */
export function terminalCurve(steps: Float64Array, losses: Float64Array, options: TerminalCurveOptions = {}): string[] {
  const width = options.width ?? 56;
  const height = options.height ?? 8;
  let lo = Infinity;
  let hi = -Infinity;
  let n = 0;
  for (let i = 0; i < losses.length; i++) {
    const v = losses[i]!;
    if (!Number.isFinite(v)) continue;
    n++;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (n < 2) return [];
  const logScale = lo > 0 && hi / lo > 100;
  const f = (v: number): number => (logScale ? Math.log10(v) : v);
  const flo = f(lo);
  const fhi = f(hi) > flo ? f(hi) : flo + 1;
  const s0 = steps[0]!;
  const s1 = steps[steps.length - 1]! > s0 ? steps[steps.length - 1]! : s0 + 1;
  const X = width * 2;
  const Y = height * 4;
  const cells = new Uint8Array(width * height);
  const set = (x: number, y: number): void => {
    const cx = x >> 1;
    const cy = y >> 2;
    cells[cy * width + cx]! |= DOT[x & 1]![y & 3]!;
  };
  let px = -1;
  let py = -1;
  for (let i = 0; i < losses.length; i++) {
    const v = losses[i]!;
    if (!Number.isFinite(v)) {
      px = -1;
      continue;
    }
    const x = Math.min(X - 1, Math.round(((steps[i]! - s0) / (s1 - s0)) * (X - 1)));
    const y = Math.min(Y - 1, Math.max(0, Math.round(((fhi - f(v)) / (fhi - flo)) * (Y - 1))));
    if (px < 0) set(x, y);
    else {
      // join to the previous point: fill the vertical span at each column in between
      for (let cx = px; cx <= x; cx++) {
        const t = x === px ? 1 : (cx - px) / (x - px);
        const yy = Math.round(py + (y - py) * t);
        const from = Math.min(yy, cx === px ? py : Math.round(py + (y - py) * ((cx - 1 - px) / (x - px))));
        const to = Math.max(yy, cx === px ? py : Math.round(py + (y - py) * ((cx - 1 - px) / (x - px))));
        for (let yy2 = from; yy2 <= to; yy2++) set(cx, yy2);
      }
    }
    px = x;
    py = y;
  }
  const top = short(hi);
  const bottom = short(lo);
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
