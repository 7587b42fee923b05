import { activationLayer, type ActivationLayer } from './activation.js';

/** `1 / (1 + e⁻ˣ)`, computed without overflow for large |x|. */
export function sigmoidOf(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/**
 * The logistic sigmoid, `y = 1 / (1 + e⁻ˣ)`; `∂y/∂x = y (1 − y)`. For a binary classifier trained
 * with cross-entropy, prefer a linear last layer and `binaryCrossEntropy({ fromLogits: true })`.
 *
 * @example
 * import { dense, sequential, sigmoid } from 'gradstream';
 * const model = sequential([dense(2, 1), sigmoid()]);
 */
export function sigmoid(size?: number): ActivationLayer {
  return activationLayer(
    'sigmoid',
    size,
    {
      forward(x, y, n) {
        for (let i = 0; i < n; i++) y[i] = sigmoidOf(x[i]!);
      },
      backward(_x, y, dY, dX, n) {
        for (let i = 0; i < n; i++) {
          const s = y[i]!;
          dX[i] = dY[i]! * s * (1 - s);
        }
      },
    },
    { type: 'sigmoid' },
  );
}
