import { driftOption } from './checkOption.js';

/** Options of ADWIN (defaults as River's `drift.ADWIN`). */
export interface AdwinOptions {
  /** Confidence δ of a cut: the bound on false alarms (default 0.002). */
  readonly delta?: number;
  /** Test for a cut every `clock` values (default 32). */
  readonly clock?: number;
  /** Fewest values on each side of a cut (default 5). */
  readonly minWindowLength?: number;
  /** Fewest values in the window before testing (default 10). */
  readonly gracePeriod?: number;
  /** Most values kept (default 10,000; the oldest leaves without an alarm). */
  readonly maxWindow?: number;
}

/** An ADWIN detector: `update(x)` is true when `x` completes a detected change. */
export interface Adwin {
  update(x: number): boolean;
  /** Values in the window. */
  width(): number;
  /** Mean of the window. */
  mean(): number;
}

/**
 * ADWIN, adaptive windowing (Bifet & Gavaldà 2007): keeps the recent values in a window `W` and
 * drops its oldest part `W₀` while some split `W = W₀·W₁` (each part ≥ `minWindowLength`; the
 * latest such split) has means further apart than River's bound `ε = √(2·v·δ′/m) + 2δ′/(3m)`, with `v` the variance of `W`,
 * `δ′ = ln(2·ln|W| / δ)` and `1/m = 1/(n₀ − k + 1) + 1/(n₁ − k + 1)` (`k` = `minWindowLength`);
 * a drop is a detected change. Tested every `clock` values once `|W| > gracePeriod`.
 *
 * This window is exact (a ring of at most `maxWindow` values, every split tested) rather than
 * River's exponential histogram of buckets: the same bound on the exact means, O(|W|) per test.
 */
export function createAdwin(options: AdwinOptions = {}): Adwin {
  const delta = driftOption('driftDetector.delta', options.delta, 0.002, (v) => v > 0 && v < 1, 'a number in (0, 1)');
  const clock = driftOption('driftDetector.clock', options.clock, 32, (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
  const k = driftOption(
    'driftDetector.minWindowLength',
    options.minWindowLength,
    5,
    (v) => Number.isInteger(v) && v >= 1,
    'an integer ≥ 1',
  );
  const grace = driftOption('driftDetector.gracePeriod', options.gracePeriod, 10, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0');
  const cap = driftOption(
    'driftDetector.maxWindow',
    options.maxWindow,
    10_000,
    (v) => Number.isInteger(v) && v >= 2 * k,
    `an integer ≥ 2 · minWindowLength (${2 * k})`,
  );
  const buf = new Float64Array(cap);
  let head = 0;
  let width = 0;
  let mean = 0;
  let m2 = 0; // Σ (x − mean)²
  let ticks = 0;

  const removeOldest = (): void => {
    const x = buf[head]!;
    head = (head + 1) % cap;
    if (width === 1) {
      width = 0;
      mean = 0;
      m2 = 0;
      return;
    }
    const n = width - 1;
    const next = (width * mean - x) / n;
    m2 = Math.max(0, m2 - (x - mean) * (x - next));
    mean = next;
    width = n;
  };
  const add = (x: number): void => {
    if (width === cap) removeOldest();
    buf[(head + width) % cap] = x;
    width += 1;
    const d = x - mean;
    mean += d / width;
    m2 += d * (x - mean);
  };
  /** The largest n₀ whose split cuts the window (0: none). */
  const lastCut = (): number => {
    const total = mean * width;
    const v = m2 / width;
    const dPrime = Math.log((2 * Math.log(width)) / delta);
    let s0 = 0;
    let cut = 0;
    for (let n0 = 1; n0 <= width - k; n0++) {
      s0 += buf[(head + n0 - 1) % cap]!;
      if (n0 < k) continue;
      const n1 = width - n0;
      const mRecip = 1 / (n0 - k + 1) + 1 / (n1 - k + 1);
      const eps = Math.sqrt(2 * mRecip * v * dPrime) + (2 / 3) * dPrime * mRecip;
      if (Math.abs(s0 / n0 - (total - s0) / n1) > eps) cut = n0;
    }
    return cut;
  };

  return {
    update(x) {
      add(x);
      ticks += 1;
      if (ticks % clock !== 0 || width <= grace) return false;
      let detected = false;
      for (let cut = lastCut(); cut > 0; cut = width >= 2 * k ? lastCut() : 0) {
        for (let i = 0; i < cut; i++) removeOldest();
        detected = true;
      }
      return detected;
    },
    width: () => width,
    mean: () => mean,
  };
}
