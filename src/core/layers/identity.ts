import { activationLayer, type ActivationLayer } from './activation.js';

/**
 * The identity, `y = x` (a linear activation; handy as a placeholder).
 *
 * @example
 * import { dense, identity, sequential } from 'gradstream';
 * const model = sequential([dense(2, 1), identity()]);
 */
export function identity(size?: number): ActivationLayer {
  return activationLayer(
    'identity',
    size,
    {
      forward(x, y, n) {
        y.set(x.subarray(0, n));
      },
      backward(_x, _y, dY, dX, n) {
        dX.set(dY.subarray(0, n));
      },
    },
    { type: 'identity' },
  );
}
