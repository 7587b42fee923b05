import { COLORS, type PlotFrame } from './plotFrame.js';
import type { DrawnSeries } from './seriesSvg.js';
import { esc, px } from './svgText.js';

/** A legend line: its label, colour, and whether its sample is dashed or faint. */
export interface LegendEntry {
  readonly label: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly faint?: boolean;
}

/** The legend's lines for the series the frame has. */
export function legendEntries(f: PlotFrame): LegendEntry[] {
  const smoothed = f.smooth > 0 ? ` (smoothed ${f.smooth})` : '';
  const entries: LegendEntry[] = f.hasEpochs
    ? [
        { label: `epoch mean loss${smoothed}`, color: COLORS.loss },
        { label: 'mini-batch loss', color: COLORS.loss, faint: true },
      ]
    : [{ label: `loss${smoothed}`, color: COLORS.loss }];
  if (f.hasVal) entries.push({ label: `validation loss${smoothed}`, color: COLORS.valLoss });
  if (f.hasLr) entries.push({ label: 'learning rate (right axis)', color: COLORS.lr, dashed: true });
  return entries;
}

/** Of the plot's four corners, the first where the legend's box covers the fewest drawn points. */
function emptiestCorner(f: PlotFrame, drawn: readonly DrawnSeries[], lw: number, lh: number): [number, number] {
  const { m, pw, ph } = f;
  const corners: [number, number][] = [
    [m.left + pw - lw - 10, m.top + 10],
    [m.left + pw - lw - 10, m.top + ph - lh - 10],
    [m.left + 10, m.top + ph - lh - 10],
    [m.left + 10, m.top + 10],
  ];
  let best = corners[0]!;
  let fewest = Infinity;
  for (const [cx, cy] of corners) {
    let n = 0;
    for (const d of drawn) for (const [x, y] of d.points) if (x >= cx - 6 && x <= cx + lw + 6 && y >= cy - 6 && y <= cy + lh + 6) n++;
    if (n < fewest) {
      fewest = n;
      best = [cx, cy];
    }
  }
  return best;
}

/** The legend, in the plot corner the curves cross least. */
export function legendSvg(f: PlotFrame, entries: readonly LegendEntry[], drawn: readonly DrawnSeries[]): string[] {
  const lw = 34 + Math.max(...entries.map((e) => e.label.length)) * 6.6;
  const lh = entries.length * 20 + 10;
  const [lx, ly] = emptiestCorner(f, drawn, lw, lh);
  const out: string[] = [
    `<g font-size="12.5" fill="${COLORS.text}"><rect x="${px(lx)}" y="${px(ly)}" width="${px(lw)}" height="${lh}" rx="5" fill="#ffffff" fill-opacity="0.92" stroke="${COLORS.grid}"/>`,
  ];
  entries.forEach((e, i) => {
    const y = ly + 19 + i * 20;
    out.push(
      `<line x1="${px(lx + 10)}" x2="${px(lx + 30)}" y1="${px(y - 4)}" y2="${px(y - 4)}" stroke="${e.color}" stroke-width="2.4"${e.dashed === true ? ' stroke-dasharray="5 3"' : ''}${e.faint === true ? ' stroke-opacity="0.35"' : ''}/>`,
    );
    out.push(`<text x="${px(lx + 37)}" y="${px(y)}">${esc(e.label)}</text>`);
  });
  out.push('</g>');
  return out;
}
