import { GradstreamError, describeTyped } from './errors.js';
import type { Loss } from './loss.js';

/**
 * Throws a `GradstreamError` (`invalid_config`) naming `path` unless `loss` has the shape of a
 * {@link Loss}: the `value` and `grad` functions (as `mse()`, `softmaxCrossEntropy()`, … make).
 */
export function checkLoss(path: string, loss: unknown): asserts loss is Loss {
  const l = loss as Partial<Loss> | null;
  if (typeof l !== 'object' || l === null || typeof l.value !== 'function' || typeof l.grad !== 'function') {
    throw new GradstreamError({
      code: 'invalid_config',
      path,
      expected: 'a loss (mse(), huber(1), softmaxCrossEntropy(), … or an object with value and grad)',
      received: describeTyped(loss),
    });
  }
}
