import { activationLayer, type ActivationLayer } from './activation.js';

/**
 * Rectified linear unit, `y = max(0, x)`; `∂y/∂x` is 1 for `x > 0`, else 0. Without `size` it
 * takes the size of the previous layer in `sequential`.
 *
 * @example
 * import { dense, relu, sequential } from 'gradstream';
 * const model = sequential([dense(2, 8), relu(), dense(8, 1)]);
 */
export function relu(size?: number): ActivationLayer {
  return activationLayer(
    'relu',
    size,
    {
      forward(x, y, n) {
        for (let i = 0; i < n; i++) {
          const v = x[i]!;
          y[i] = v > 0 ? v : 0;
        }
      },
      backward(x, _y, dY, dX, n) {
        for (let i = 0; i < n; i++) dX[i] = x[i]! > 0 ? dY[i]! : 0;
      },
    },
    { type: 'relu' },
  );
}
