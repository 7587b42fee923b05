import { GradstreamError } from '../core/errors.js';
import type { ForwardCache, Model } from '../core/model.js';
import type { Scaler } from './scaler.js';

/** A model with its input scaling in front (see {@link withScaler}). */
export type ScaledModel = Model & { readonly scaler: Scaler; readonly model: Model };

/**
 * `model` with `scaler` applied to its inputs on every forward pass — training, `validation` and
 * `predict` all see scaled inputs, so the scaling fitted on the training part travels with the
 * model (save `scaler.toJSON()` with the weights). Same parameters and layout as `model`; the
 * scaled inputs live in a buffer made with each cache (nothing allocated per step).
 *
 * @example
 * import { dense, predict, sequential, standardize, withScaler, createRng } from 'gradstream';
 * const scaler = standardize().fit([[100, 1], [300, 3]]);
 * const model = withScaler(sequential([dense(2, 1)]), scaler);
 * predict(model, model.init(createRng(1)), [[200, 2]]);
 */
export function withScaler(model: Model, scaler: Scaler): ScaledModel {
  if (scaler.inputs !== model.inputs) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: 'withScaler(scaler)',
      expected: `a scaler of ${model.inputs} inputs (the model's)`,
      received: String(scaler.inputs),
    });
  }
  const scaled = new WeakMap<ForwardCache, Float64Array>();
  const wrapped: ScaledModel = {
    layout: model.layout,
    inputs: model.inputs,
    outputs: model.outputs,
    precision: model.precision,
    scaler,
    model,
    init: (rng) => model.init(rng),
    createCache(batchSize) {
      const cache = model.createCache(batchSize);
      scaled.set(cache, new Float64Array(batchSize * model.inputs));
      return cache;
    },
    forward(params, x, cache, mode) {
      let buf = scaled.get(cache);
      if (buf === undefined || buf.length !== x.length) {
        buf = new Float64Array(x.length);
        scaled.set(cache, buf);
      }
      return model.forward(params, scaler.transform(x, buf), cache, mode);
    },
    backward: (params, cache, dY, grads) => model.backward(params, cache, dY, grads),
  };
  if (model.penalty !== undefined) {
    const penalty = model.penalty.bind(model);
    return Object.assign(wrapped, { penalty });
  }
  return wrapped;
}
