import { GradstreamError } from './errors.js';
import { INFERENCE } from './layer.js';
import type { Model } from './model.js';
import type { Params } from './params.js';

/**
 * Runs `model` on `rows` input rows (`x`: `rows × inputs`, row major; nested rows accepted) and
 * returns a fresh `rows × outputs` array of outputs, in inference mode (dropout off, batch
 * normalization with its moving statistics). Allocates its buffers per call: for evaluation, not
 * for the training loop.
 *
 * @example
 * import { createRng, dense, predict, sequential } from 'gradstream';
 * const model = sequential([dense(2, 1)]);
 * const out = predict(model, model.init(createRng(1)), [[0, 1], [1, 0]]); // 2 outputs
 */
export function predict(model: Model, params: Params, x: Readonly<Float64Array> | readonly (readonly number[])[], rows?: number): Float64Array {
  let flat: Readonly<Float64Array>;
  if (x instanceof Float64Array) {
    flat = x;
  } else {
    const nested = x as readonly (readonly number[])[];
    const out = new Float64Array(nested.length * model.inputs);
    nested.forEach((row, r) => {
      if (row.length !== model.inputs) {
        throw new GradstreamError({ code: 'invalid_shape', path: `predict(x)[${r}]`, expected: `${model.inputs} features`, received: String(row.length) });
      }
      out.set(row, r * model.inputs);
    });
    flat = out;
  }
  const n = rows ?? flat.length / model.inputs;
  if (!Number.isInteger(n) || n < 1) {
    throw new GradstreamError({ code: 'invalid_shape', path: 'predict(x)', expected: `rows of ${model.inputs} features`, received: `${flat.length} numbers` });
  }
  const cache = model.createCache(n);
  return model.forward(params, flat, cache, INFERENCE).slice();
}
