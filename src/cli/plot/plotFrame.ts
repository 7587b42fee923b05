import type { LossLog } from '../readLossLog.js';
import { hasValues } from './seriesPoints.js';

// Okabe–Ito colours: distinguishable with every common colour-vision deficiency.
export const COLORS = {
  loss: '#0072B2',
  valLoss: '#D55E00',
  lr: '#009E73',
  grid: '#e6e8ec',
  axis: '#4b5563',
  text: '#1f2937',
  muted: '#6b7280',
} as const;
export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

/** The chart's size, margins and plot area, and which series the log has. */
export interface PlotFrame {
  readonly W: number;
  readonly H: number;
  readonly m: { readonly left: number; readonly right: number; readonly top: number; readonly bottom: number };
  /** The plot area's width and height. */
  readonly pw: number;
  readonly ph: number;
  readonly logY: boolean;
  readonly smooth: number;
  readonly hasVal: boolean;
  readonly hasLr: boolean;
  /** Whether the log has epoch means (then they are the main loss curve). */
  readonly hasEpochs: boolean;
  /** A loss value the loss axis can show (positive on a log axis). */
  readonly okY: (v: number) => boolean;
}

/** The frame of a chart of `log`: 880×500 unless given, a right margin for the learning rate axis. */
export function plotFrame(
  log: LossLog,
  options: { readonly width?: number; readonly height?: number; readonly logY?: boolean; readonly smooth?: number },
): PlotFrame {
  const W = options.width ?? 880;
  const H = options.height ?? 500;
  const logY = options.logY ?? false;
  const hasLr = hasValues(log.lr);
  const m = { left: 72, right: hasLr ? 78 : 28, top: 70, bottom: 58 };
  return {
    W,
    H,
    m,
    pw: W - m.left - m.right,
    ph: H - m.top - m.bottom,
    logY,
    smooth: options.smooth ?? 0,
    hasVal: hasValues(log.valLoss),
    hasLr,
    hasEpochs: hasValues(log.epochLoss),
    okY: logY ? (v: number) => Number.isFinite(v) && v > 0 : (v: number) => Number.isFinite(v),
  };
}
