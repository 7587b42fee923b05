import type { LossLog } from '../readLossLog.js';
import { COLORS, type PlotFrame } from './plotFrame.js';
import type { PlotScale } from './plotScales.js';
import { present, screenPoints } from './seriesPoints.js';
import { smoothSeries } from './smoothSeries.js';
import { px } from './svgText.js';

/** A curve on screen: faint (`opacity`) behind, dashed (the learning rate), or a main curve. */
export interface DrawnSeries {
  readonly points: [number, number][];
  readonly color: string;
  readonly width: number;
  readonly opacity?: number;
  readonly dash?: string;
}

/** One curve as a main curve, or smoothed over its faint raw self. */
function lossCurves(xs: Float64Array, ys: Float64Array, color: string, f: PlotFrame, x: PlotScale, y: PlotScale): DrawnSeries[] {
  if (f.smooth > 0)
    return [
      { points: screenPoints(xs, ys, x.at, y.at), color, width: 1.2, opacity: 0.28 },
      { points: screenPoints(xs, smoothSeries(ys, f.smooth), x.at, y.at), color, width: 2.2 },
    ];
  return [{ points: screenPoints(xs, ys, x.at, y.at), color, width: 2 }];
}

/**
 * The curves in drawing order: the learning rate (dashed, right axis); the loss — with epoch
 * means, the mini-batch losses faint and the epoch means (at each epoch's last step) as the main
 * curve; the validation loss. Smoothing draws smoothed curves over faint raw ones.
 */
export function plotSeries(log: LossLog, f: PlotFrame, x: PlotScale, y: PlotScale, lr: PlotScale | undefined): DrawnSeries[] {
  const drawn: DrawnSeries[] = [];
  if (lr !== undefined) {
    const [lx, ly] = present(log.step, log.lr, Number.isFinite);
    drawn.push({ points: screenPoints(lx, ly, x.at, lr.at), color: COLORS.lr, width: 1.6, dash: '6 4' });
  }
  const [bx, by] = present(log.step, log.loss, f.okY);
  if (f.hasEpochs) {
    drawn.push({ points: screenPoints(bx, by, x.at, y.at), color: COLORS.loss, width: 1.2, opacity: 0.28 });
    const [ex, ey] = present(log.step, log.epochLoss, f.okY);
    const main = f.smooth > 0 ? smoothSeries(ey, f.smooth) : ey;
    drawn.push({ points: screenPoints(ex, main, x.at, y.at), color: COLORS.loss, width: f.smooth > 0 ? 2.2 : 2 });
  } else drawn.push(...lossCurves(bx, by, COLORS.loss, f, x, y));
  if (f.hasVal) {
    const [vx, vy] = present(log.step, log.valLoss, f.okY);
    drawn.push(...lossCurves(vx, vy, COLORS.valLoss, f, x, y));
  }
  return drawn;
}

function pathData(points: readonly [number, number][]): string {
  let d = '';
  for (let i = 0; i < points.length; i++) d += `${i === 0 ? 'M' : 'L'}${px(points[i]![0])},${px(points[i]![1])}`;
  return d;
}

/** The curves as paths clipped to the plot area; a main curve of few points marks each one. */
export function seriesSvg(f: PlotFrame, drawn: readonly DrawnSeries[]): string[] {
  const { m, pw, ph } = f;
  const out: string[] = [];
  out.push(`<clipPath id="plot"><rect x="${m.left - 4}" y="${m.top - 4}" width="${pw + 8}" height="${ph + 8}"/></clipPath>`);
  out.push(`<g clip-path="url(#plot)" fill="none" stroke-linejoin="round" stroke-linecap="round">`);
  for (const d of drawn) {
    out.push(
      `<path d="${pathData(d.points)}" stroke="${d.color}" stroke-width="${d.width}"${d.opacity === undefined ? '' : ` stroke-opacity="${d.opacity}"`}${d.dash === undefined ? '' : ` stroke-dasharray="${d.dash}"`}/>`,
    );
    // few points: mark each one (a single point would draw nothing at all)
    if (d.opacity === undefined && d.dash === undefined && d.points.length <= 40) {
      for (const [cx, cy] of d.points)
        out.push(`<circle cx="${px(cx)}" cy="${px(cy)}" r="3" fill="${d.color}" stroke="#ffffff" stroke-width="1"/>`);
    }
  }
  out.push('</g>');
  return out;
}
