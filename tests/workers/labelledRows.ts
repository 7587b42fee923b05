import { createRng } from '../../src/index.js';

/**
 * A small classification set: `rows` draws of `features` numbers uniform in [−1, 1) from `seed`;
 * each draw `u` gives the inputs `row(u)` (default: `u` itself) and the class `label(u)`.
 */
export function labelledRows(
  seed: number,
  rows: number,
  features: number,
  label: (u: readonly number[]) => number,
  row: (u: number[]) => number[] = (u) => u,
): { x: number[][]; y: number[] } {
  const rng = createRng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const u = Array.from({ length: features }, () => rng.uniform(-1, 1));
    x.push(row(u));
    y.push(label(u));
  }
  return { x, y };
}
