import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { GradstreamError } from '../core/errors.js';
import type { StepRecord } from '../streams/stepRecord.js';
import { isSampled } from '../ops/isSampled.js';

/** Options of {@link log}. */
export interface LogOptions {
  /** Log every n-th step (default 1); the final record is always logged. */
  readonly every?: number;
  /** Where lines go (default `console.log`). */
  readonly write?: (line: string) => void;
  /** Milliseconds clock for steps/s (default `performance.now`). */
  readonly clock?: () => number;
}

/**
 * A console logger: writes `step N  loss L  [metric M …]  S steps/s` for the sampled records
 * (metrics from the `metric` operator), and the stop reason on the final one. Passes every record through unchanged; completes and errors with its
 * source; errors if `write` throws.
 *
 * @example
 * import { log } from 'gradstream';
 * const sink = log({ every: 100 });
 */
export function log<R extends StepRecord>(options: LogOptions = {}): MonoTypeOperatorFunction<R> {
  const every = options.every ?? 1;
  if (!Number.isInteger(every) || every < 1) {
    throw new GradstreamError({ code: 'invalid_config', path: 'log.every', expected: 'an integer ≥ 1', received: String(every) });
  }
  const write = options.write ?? ((line: string) => console.log(line));
  const clock = options.clock ?? (() => performance.now());
  return (source) =>
    defer(() => {
      let lastStep = Number.NaN;
      let lastTime = 0;
      return source.pipe(
        tap((r) => {
          if (!isSampled(r, every)) return;
          const now = clock();
          const rate = r.step > lastStep && now > lastTime ? ((r.step - lastStep) * 1000) / (now - lastTime) : Number.NaN;
          lastStep = r.step;
          lastTime = now;
          write(formatLogLine(r, rate));
        }),
      );
    });
}

/** The text of one log line. */
export function formatLogLine(r: StepRecord, stepsPerSecond: number): string {
  let line = `step ${r.step}  loss ${r.loss === undefined ? '-' : String(r.loss)}`;
  const metrics = (r as { metrics?: Readonly<Record<string, number>> }).metrics;
  if (metrics !== undefined) for (const [name, v] of Object.entries(metrics)) line += `  ${name} ${v.toPrecision(4)}`;
  if (Number.isFinite(stepsPerSecond)) line += `  ${formatRate(stepsPerSecond)} steps/s`;
  if (r.stopReason !== undefined) line += `  stop: ${r.stopReason}`;
  return line;
}

function formatRate(v: number): string {
  return v >= 100 ? String(Math.round(v)) : v.toPrecision(3);
}
