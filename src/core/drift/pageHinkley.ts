import { GradstreamError, describeValue } from '../errors.js';
import { driftOption } from './checkOption.js';

/** Options of the Page-Hinkley test (defaults as River's `drift.PageHinkley`, except `mode`). */
export interface PageHinkleyOptions {
  /** λ: the alarm threshold, in units of the value × samples (default 50). */
  readonly threshold?: number;
  /** δ: the magnitude of change tolerated per sample (default 0.005). */
  readonly delta?: number;
  /** Forgetting factor of the cumulative sums (default 0.9999; 1 is the textbook test). */
  readonly alpha?: number;
  /** Values seen before an alarm may fire (default 30). */
  readonly minInstances?: number;
  /** Detect an increase of the mean (default: a loss that rises), a decrease, or both. */
  readonly mode?: 'up' | 'down' | 'both';
}

/** A Page-Hinkley detector: `update(x)` is true when `x` completes a detected change. */
export interface PageHinkley {
  update(x: number): boolean;
}

/**
 * The Page-Hinkley test (Page 1954; the online form of Gama et al. and River): with `m` the mean
 * of the values since the last alarm, `S⁺ ← α·S⁺ + (x − m − δ)` and `S⁻ ← α·S⁻ + (x − m + δ)`;
 * an increase is detected when `S⁺ − min S⁺ > λ`, a decrease when `max S⁻ − S⁻ > λ`, once at least
 * `minInstances` values were seen. After an alarm the test starts afresh. (River starts
 * `max S⁻` at −1; here at −∞, as the test is written.)
 */
export function createPageHinkley(options: PageHinkleyOptions = {}): PageHinkley {
  const threshold = driftOption(
    'driftDetector.threshold',
    options.threshold,
    50,
    (v) => v > 0 && Number.isFinite(v),
    'a finite number > 0',
  );
  const delta = driftOption('driftDetector.delta', options.delta, 0.005, (v) => v >= 0 && Number.isFinite(v), 'a finite number ≥ 0');
  const alpha = driftOption('driftDetector.alpha', options.alpha, 1 - 0.0001, (v) => v > 0 && v <= 1, 'a number in (0, 1]');
  const minInstances = driftOption(
    'driftDetector.minInstances',
    options.minInstances,
    30,
    (v) => Number.isInteger(v) && v >= 1,
    'an integer ≥ 1',
  );
  const mode = options.mode ?? 'up';
  if (mode !== 'up' && mode !== 'down' && mode !== 'both') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'driftDetector.mode',
      expected: "'up', 'down' or 'both'",
      received: describeValue(mode),
    });
  }
  const up = mode !== 'down';
  const down = mode !== 'up';
  let n = 0;
  let mean = 0;
  let sumInc = 0;
  let minInc = Infinity;
  let sumDec = 0;
  let maxDec = -Infinity;
  let detected = false;
  return {
    update(x) {
      if (detected) {
        n = 0;
        mean = 0;
        sumInc = 0;
        minInc = Infinity;
        sumDec = 0;
        maxDec = -Infinity;
        detected = false;
      }
      n += 1;
      mean += (x - mean) / n;
      const dev = x - mean;
      sumInc = alpha * sumInc + dev - delta;
      sumDec = alpha * sumDec + dev + delta;
      if (sumInc < minInc) minInc = sumInc;
      if (sumDec > maxDec) maxDec = sumDec;
      if (n >= minInstances) detected = (up && sumInc - minInc > threshold) || (down && maxDec - sumDec > threshold);
      return detected;
    },
  };
}
