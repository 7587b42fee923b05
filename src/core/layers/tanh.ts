import { activationLayer, type ActivationLayer } from './activation.js';

/**
 * Hyperbolic tangent, `y = tanh(x)`; `∂y/∂x = 1 − y²`.
 *
 * @example
 * import { dense, sequential, tanh } from 'gradstream';
 * const model = sequential([dense(2, 8), tanh(), dense(8, 1)]);
 */
export function tanh(size?: number): ActivationLayer {
  return activationLayer(
    'tanh',
    size,
    {
      forward(x, y, n) {
        for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]!);
      },
      backward(_x, y, dY, dX, n) {
        for (let i = 0; i < n; i++) {
          const t = y[i]!;
          dX[i] = dY[i]! * (1 - t * t);
        }
      },
    },
    { type: 'tanh' },
  );
}
