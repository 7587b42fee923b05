import { axesSvg, ticksSvg } from './plot/axesSvg.js';
import { bestLoss, describeBest, finalEpochLoss } from './plot/bestLoss.js';
import { legendEntries, legendSvg } from './plot/legendSvg.js';
import { COLORS, FONT, plotFrame, type PlotFrame } from './plot/plotFrame.js';
import { lossScale, lrScale, stepScale } from './plot/plotScales.js';
import { plotSeries, seriesSvg } from './plot/seriesSvg.js';
import { esc } from './plot/svgText.js';
import type { LossLog } from './readLossLog.js';

export { smoothSeries } from './plot/smoothSeries.js';

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

function lossText(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(4) : String(v);
}

/** The summary line: source, logged steps, final and best loss (epoch means when the log has them), stop reason. */
function plotSummary(log: LossLog, f: PlotFrame, source: string | undefined): string {
  const x0 = log.step[0]!;
  const x1 = log.step[log.length - 1]!;
  const best = bestLoss(log);
  return [
    source,
    `${log.length.toLocaleString('en-US')} logged steps (${x0.toLocaleString('en-US')}–${x1.toLocaleString('en-US')})`,
    f.hasEpochs ? `final epoch loss ${lossText(finalEpochLoss(log))}` : `final loss ${lossText(log.loss[log.length - 1]!)}`,
    best === undefined ? undefined : describeBest(best),
    log.reason === undefined ? undefined : `stopped: ${log.reason}`,
  ]
    .filter((s): s is string => s !== undefined)
    .join('  ·  ');
}

/**
 * Renders a training log as an SVG line chart: the loss (and the validation loss) against the
 * step on the left axis — linear or logarithmic — and the learning rate on a right axis, with
 * round ticks, grid lines, axis labels, a title with a summary line, and a legend. A log with
 * epoch means (`epochLoss` on each epoch's last step) draws them as the main loss curve, the
 * mini-batch losses faint behind, and reports the best epoch mean. Smoothing draws the smoothed
 * curves over faint raw ones. Pure: returns the SVG text.
 */
export function lossPlotSvg(log: LossLog, options: LossPlotOptions = {}): string {
  const f = plotFrame(log, options);
  const x = stepScale(log, f);
  const y = lossScale(log, f);
  const lr = lrScale(log, f);
  const title = options.title ?? 'Training loss';
  const summary = plotSummary(log, f, options.source);
  const drawn = plotSeries(log, f, x, y, lr);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.W}" height="${f.H}" viewBox="0 0 ${f.W} ${f.H}" font-family='${FONT}' role="img" aria-labelledby="title desc">`,
    `<title id="title">${esc(title)}</title><desc id="desc">${esc(summary)}</desc>`,
    `<rect width="${f.W}" height="${f.H}" fill="#ffffff"/>`,
    `<text x="${f.m.left}" y="30" font-size="19" font-weight="600" fill="${COLORS.text}">${esc(title)}</text>`,
    `<text x="${f.m.left}" y="50" font-size="12.5" fill="${COLORS.muted}">${esc(summary)}</text>`,
    ...ticksSvg(f, x, y, lr),
    ...axesSvg(f),
    ...seriesSvg(f, drawn),
    ...legendSvg(f, legendEntries(f), drawn),
    '</svg>',
  ];
  return `${out.join('\n')}\n`;
}
