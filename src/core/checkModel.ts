import { GradstreamError, describeTyped } from './errors.js';
import type { Model } from './model.js';
import { checkParamLayout } from './params.js';

/**
 * Throws a `GradstreamError` (`invalid_config`) naming `path` unless `model` has the shape of a
 * {@link Model}: integer input and output sizes, a parameter layout, and the `init`,
 * `createCache`, `forward` and `backward` functions (as `sequential` and `modelFromConfig` make).
 */
export function checkModel(path: string, model: unknown): asserts model is Model {
  const m = model as Partial<Model> | null;
  const size = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;
  const ok =
    typeof m === 'object' &&
    m !== null &&
    size(m.inputs) &&
    size(m.outputs) &&
    typeof m.init === 'function' &&
    typeof m.createCache === 'function' &&
    typeof m.forward === 'function' &&
    typeof m.backward === 'function';
  if (!ok) {
    throw new GradstreamError({
      code: 'invalid_config',
      path,
      expected: 'a model (sequential([...]) or modelFromConfig(…).model)',
      received: describeTyped(model),
    });
  }
  checkParamLayout(`${path}.layout`, m.layout);
}
