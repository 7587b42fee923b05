/** One worker's part of a round: the mean gradient and mean loss over `count` samples. */
export interface Contribution {
  readonly consumer: string;
  readonly version: number;
  readonly count: number;
  readonly loss: number;
  readonly ids: readonly string[];
  readonly grad: Float64Array;
}

/**
 * The gradient of a synchronous round: the contributions' mean gradients weighted by their sample
 * counts (`Σ nᵢ·gᵢ / Σ nᵢ`, in the order given) — the mean gradient over all the round's samples.
 * Writes it into `out` and returns the round's mean loss.
 *
 * @example
 * import { combineContributions } from 'gradstream/node';
 * const out = new Float64Array(1);
 * combineContributions(out, [
 *   { consumer: 'a', version: 0, count: 1, loss: 1, ids: ['1-0'], grad: Float64Array.of(2) },
 *   { consumer: 'b', version: 0, count: 3, loss: 3, ids: ['2-0', '3-0', '4-0'], grad: Float64Array.of(6) },
 * ]); // 2.5; out = [5]
 */
export function combineContributions(out: Float64Array, contributions: readonly Contribution[]): number {
  out.fill(0);
  let total = 0;
  let lossSum = 0;
  for (const c of contributions) {
    const g = c.grad;
    const n = c.count;
    for (let i = 0; i < out.length; i++) out[i]! += n * g[i]!;
    total += n;
    lossSum += n * c.loss;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= total;
  return lossSum / total;
}
