import { GradstreamError, describeTyped } from '../errors.js';
import { activationLayer, type ActivationLayer } from './activation.js';

/**
 * Leaky ReLU, `y = x` for `x > 0`, else `alpha · x` (default `alpha` 0.3, as Keras' `LeakyReLU`).
 *
 * @example
 * import { dense, leakyRelu, sequential } from 'gradstream';
 * const model = sequential([dense(2, 8), leakyRelu(0.1), dense(8, 1)]);
 */
export function leakyRelu(alpha = 0.3, size?: number): ActivationLayer {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) {
    throw new GradstreamError({
      code: 'invalid_value',
      path: 'leakyRelu(alpha)',
      expected: 'a finite number',
      received: describeTyped(alpha),
    });
  }
  return activationLayer(
    'leakyRelu',
    size,
    {
      forward(x, y, n) {
        for (let i = 0; i < n; i++) {
          const v = x[i]!;
          y[i] = v > 0 ? v : alpha * v;
        }
      },
      backward(x, _y, dY, dX, n) {
        for (let i = 0; i < n; i++) dX[i] = x[i]! > 0 ? dY[i]! : alpha * dY[i]!;
      },
    },
    { type: 'leakyRelu', alpha },
  );
}
