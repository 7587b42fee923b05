import { activationLayer, type ActivationLayer } from './activation.js';
import { sigmoidOf } from './sigmoid.js';

/**
 * Softplus, `y = log(1 + eˣ)`, computed stably as `max(x, 0) + log1p(e^−|x|)`; `∂y/∂x = σ(x)`.
 *
 * @example
 * import { dense, sequential, softplus } from 'gradstream';
 * const model = sequential([dense(2, 8), softplus(), dense(8, 1)]);
 */
export function softplus(size?: number): ActivationLayer {
  return activationLayer(
    'softplus',
    size,
    {
      forward(x, y, n) {
        for (let i = 0; i < n; i++) {
          const v = x[i]!;
          y[i] = (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));
        }
      },
      backward(x, _y, dY, dX, n) {
        for (let i = 0; i < n; i++) dX[i] = dY[i]! * sigmoidOf(x[i]!);
      },
    },
    { type: 'softplus' },
  );
}
