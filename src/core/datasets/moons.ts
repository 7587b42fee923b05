import { GradstreamError } from '../errors.js';
import type { Rng } from '../rng.js';

/** Options of {@link moons}. */
export interface MoonsOptions {
  /** Standard deviation of the Gaussian noise added to each coordinate (default 0). */
  readonly noise?: number;
  /** The seeded generator the points and the noise are drawn from. */
  readonly rng: Rng;
}

/**
 * Two interleaving half circles (scikit-learn's `make_moons`): `n` points in 2-D, alternately of
 * class 0 (upper moon) and 1 (lower moon), with one integer label per row.
 *
 * @example
 * import { createRng, moons } from 'gradstream';
 * const { x, y } = moons(1000, { noise: 0.15, rng: createRng(42) });
 */
export function moons(n: number, options: MoonsOptions): { x: number[][]; y: number[] } {
  const noise = options.noise ?? 0;
  if (!Number.isInteger(n) || n < 1) throw new GradstreamError({ code: 'invalid_config', path: 'moons.n', expected: 'an integer ≥ 1', received: String(n) });
  if (!(noise >= 0)) throw new GradstreamError({ code: 'invalid_config', path: 'moons.noise', expected: 'a number ≥ 0', received: String(noise) });
  const { rng } = options;
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
