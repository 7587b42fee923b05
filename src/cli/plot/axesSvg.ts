import { COLORS, type PlotFrame } from './plotFrame.js';
import type { PlotScale } from './plotScales.js';
import { esc, px } from './svgText.js';

/** Grid lines and tick labels of the loss axis (left), the step axis and the learning rate axis (right). */
export function ticksSvg(f: PlotFrame, x: PlotScale, y: PlotScale, lr: PlotScale | undefined): string[] {
  const { m, pw, ph } = f;
  const out: string[] = [`<g font-size="12" fill="${COLORS.muted}">`];
  for (let i = 0; i < y.values.length; i++) {
    const at = y.at(y.values[i]!);
    const major = !f.logY || Number.isInteger(Math.round(Math.log10(y.values[i]!) * 1e9) / 1e9);
    out.push(
      `<line x1="${m.left}" x2="${m.left + pw}" y1="${px(at)}" y2="${px(at)}" stroke="${COLORS.grid}" stroke-width="${major ? 1 : 0.6}"/>`,
    );
    out.push(`<text x="${m.left - 8}" y="${px(at + 4)}" text-anchor="end">${esc(y.ticks.labels[i]!)}</text>`);
  }
  for (const v of x.values) {
    const at = px(x.at(v));
    out.push(`<line x1="${at}" x2="${at}" y1="${m.top}" y2="${m.top + ph}" stroke="${COLORS.grid}"/>`);
    out.push(`<line x1="${at}" x2="${at}" y1="${m.top + ph}" y2="${m.top + ph + 5}" stroke="${COLORS.axis}"/>`);
    out.push(`<text x="${at}" y="${m.top + ph + 20}" text-anchor="middle">${esc(x.ticks.labels[x.ticks.values.indexOf(v)]!)}</text>`);
  }
  if (lr !== undefined) {
    for (let i = 0; i < lr.values.length; i++) {
      const at = lr.at(lr.values[i]!);
      out.push(`<line x1="${m.left + pw}" x2="${m.left + pw + 5}" y1="${px(at)}" y2="${px(at)}" stroke="${COLORS.lr}"/>`);
      out.push(`<text x="${m.left + pw + 8}" y="${px(at + 4)}" fill="${COLORS.lr}">${esc(lr.ticks.labels[i]!)}</text>`);
    }
  }
  out.push('</g>');
  return out;
}

/** The axis lines and their labels: step, loss (log scale), learning rate. */
export function axesSvg(f: PlotFrame): string[] {
  const { m, pw, ph, W, H } = f;
  const out: string[] = [];
  out.push(
    `<g stroke="${COLORS.axis}" stroke-width="1.2" fill="none"><path d="M${m.left},${m.top}V${m.top + ph}H${m.left + pw}"/>${f.hasLr ? `<path d="M${m.left + pw},${m.top}V${m.top + ph}" stroke="${COLORS.lr}"/>` : ''}</g>`,
  );
  out.push(`<text x="${m.left + pw / 2}" y="${H - 14}" font-size="13" text-anchor="middle" fill="${COLORS.text}">step</text>`);
  out.push(
    `<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" font-size="13" text-anchor="middle" fill="${COLORS.text}">loss${f.logY ? ' (log scale)' : ''}</text>`,
  );
  if (f.hasLr)
    out.push(
      `<text transform="translate(${W - 14} ${m.top + ph / 2}) rotate(90)" font-size="13" text-anchor="middle" fill="${COLORS.lr}">learning rate</text>`,
    );
  return out;
}
