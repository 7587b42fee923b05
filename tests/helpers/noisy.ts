import { createRng } from '../../src/index.js';

/** Seeded values: for each `[n, mean]` part, `n` values around `mean` with Gaussian noise of `sd`. */
export function noisy(seed: number, parts: readonly (readonly [number, number])[], sd = 0.05): number[] {
  const rng = createRng(seed);
  const out: number[] = [];
  for (const [n, mean] of parts) for (let i = 0; i < n; i++) out.push(mean + sd * rng.normal());
  return out;
}
