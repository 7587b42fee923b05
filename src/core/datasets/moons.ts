import { GradstreamError, describeTyped } from '../errors.js';
import { checkInteger, checkNumber, checkOptions } from '../optimizers/checkOption.js';
import type { Rng } from '../rng.js';

/** Options of {@link moons}. */
export interface MoonsOptions {
  /** Standard deviation of the Gaussian noise added to each coordinate (default 0). */
  readonly noise?: number;
  /** The seeded generator the points and the noise are drawn from. */
  readonly rng: Rng;
}

/** The most points {@link moons} makes in one call (a toy data set, built in memory). */
const MAX_POINTS = 10_000_000;

/**
 * Two interleaving half circles (scikit-learn's `make_moons`): `n` points in 2-D, alternately of
 * class 0 (upper moon) and 1 (lower moon), with one integer label per row. Errors with a
 * `GradstreamError` naming the option when `n` is not an integer in [1, 10⁷], `noise` not a finite
 * number ≥ 0 or `rng` not a generator.
 *
 * @example
 * import { createRng, moons } from 'gradstream';
 * const { x, y } = moons(1000, { noise: 0.15, rng: createRng(42) });
 */
export function moons(n: number, options: MoonsOptions): { x: number[][]; y: number[] } {
  checkInteger('moons.n', n, 1);
  if (n > MAX_POINTS)
    throw new GradstreamError({ code: 'invalid_config', path: 'moons.n', expected: `at most ${MAX_POINTS} points`, received: String(n) });
  const o = checkOptions('moons', options, ['noise', 'rng'], true);
  const noise = checkNumber('moons.noise', o.noise ?? 0, '≥ 0');
  const rng = o.rng as Rng;
  if (typeof rng !== 'object' || rng === null || typeof rng.next !== 'function' || typeof rng.normal !== 'function') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'moons.rng',
      expected: 'a seeded generator: createRng(seed)',
      received: describeTyped(rng),
    });
  }
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const t = Math.PI * rng.next();
    const px = label === 0 ? Math.cos(t) : 1 - Math.cos(t);
    const py = label === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    x.push(noise === 0 ? [px, py] : [px + noise * rng.normal(), py + noise * rng.normal()]);
    y.push(label);
  }
  return { x, y };
}
