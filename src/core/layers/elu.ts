import { GradstreamError, describeTyped } from '../errors.js';
import { activationLayer, type ActivationLayer } from './activation.js';

/**
 * Exponential linear unit, `y = x` for `x > 0`, else `alpha · (eˣ − 1)` (default `alpha` 1);
 * `∂y/∂x = y + alpha` for `x ≤ 0`.
 *
 * @example
 * import { dense, elu, sequential } from 'gradstream';
 * const model = sequential([dense(2, 8), elu(), dense(8, 1)]);
 */
export function elu(alpha = 1, size?: number): ActivationLayer {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
    throw new GradstreamError({ code: 'invalid_value', path: 'elu(alpha)', expected: 'a finite number', received: describeTyped(alpha) });
  }
  return activationLayer(
    'elu',
    size,
    {
      forward(x, y, n) {
        for (let i = 0; i < n; i++) {
          const v = x[i]!;
          y[i] = v > 0 ? v : alpha * Math.expm1(v);
        }
      },
      backward(x, y, dY, dX, n) {
        for (let i = 0; i < n; i++) dX[i] = x[i]! > 0 ? dY[i]! : (y[i]! + alpha) * dY[i]!;
      },
    },
    { type: 'elu', alpha },
  );
}
