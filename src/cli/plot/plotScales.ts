import { formatNumber, linearTicks, logTicks, type Ticks } from '../niceTicks.js';
import type { LossLog } from '../readLossLog.js';
import type { PlotFrame } from './plotFrame.js';
import { finiteRange } from './seriesPoints.js';

/** An axis: its ticks (those to draw in `values`) and the map from a value to a screen coordinate. */
export interface PlotScale {
  readonly ticks: Ticks;
  readonly values: readonly number[];
  readonly at: (v: number) => number;
}

/** The step axis: from the first to the last logged step, round ticks about every 110 px. */
export function stepScale(log: LossLog, f: PlotFrame): PlotScale {
  const x0 = log.step[0]!;
  const x1 = log.step[log.length - 1]!;
  const ticks = linearTicks(x0, x1 > x0 ? x1 : x0 + 1, Math.max(3, Math.round(f.pw / 110)), (v, s, maxAbs) =>
    formatNumber(v, Math.max(s, 1), maxAbs),
  );
  const xmin = x1 > x0 ? x0 : ticks.min;
  const xmax = x1 > x0 ? x1 : ticks.max;
  return {
    ticks,
    values: ticks.values.filter((v) => v >= xmin - 1e-9 && v <= xmax + 1e-9),
    at: (v) => f.m.left + ((v - xmin) / (xmax - xmin)) * f.pw,
  };
}

/**
 * The loss axis, linear or logarithmic: the raw values decide its range (losses, epoch means,
 * validation losses), so smoothing never hides a spike's scale.
 */
export function lossScale(log: LossLog, f: PlotFrame): PlotScale {
  const ranges = [finiteRange(log.loss, f.okY), f.hasEpochs ? finiteRange(log.epochLoss, f.okY) : undefined];
  if (f.hasVal) ranges.push(finiteRange(log.valLoss, f.okY));
  let ylo = ranges[0]?.[0] ?? 1;
  let yhi = ranges[0]?.[1] ?? 1;
  for (let i = 1; i < ranges.length; i++) {
    ylo = Math.min(ylo, ranges[i]?.[0] ?? Infinity);
    yhi = Math.max(yhi, ranges[i]?.[1] ?? -Infinity);
  }
  let ticks: Ticks;
  if (f.logY) ticks = logTicks(ylo, yhi);
  else {
    if (ylo > 0 && ylo < 0.35 * yhi) ylo = 0; // anchor at 0 when the curve comes close to it
    ticks = linearTicks(ylo, yhi, Math.max(3, Math.round(f.ph / 70)));
  }
  const [ymin, ymax] = f.logY ? [Math.log10(ticks.min), Math.log10(ticks.max)] : [ticks.min, ticks.max];
  const bottom = f.m.top + f.ph;
  return {
    ticks,
    values: ticks.values,
    at: (v) => bottom - (((f.logY ? Math.log10(v) : v) - ymin) / (ymax - ymin)) * f.ph,
  };
}

/** The learning rate axis on the right, anchored at 0 when the rate comes close to it or is constant. */
export function lrScale(log: LossLog, f: PlotFrame): PlotScale | undefined {
  if (!f.hasLr) return undefined;
  const r = finiteRange(log.lr, Number.isFinite)!;
  const ticks = linearTicks(
    r[0] > 0 && (r[0] < 0.35 * r[1] || r[0] === r[1]) ? 0 : r[0],
    r[0] === r[1] ? r[1] * 1.2 : r[1],
    Math.max(3, Math.round(f.ph / 70)),
  );
  const [lo, hi] = [ticks.min, ticks.max];
  const bottom = f.m.top + f.ph;
  return { ticks, values: ticks.values, at: (v) => bottom - ((v - lo) / (hi - lo)) * f.ph };
}
