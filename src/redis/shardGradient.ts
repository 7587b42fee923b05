import type { ForwardMode } from '../core/layer.js';
import type { Loss } from '../core/loss.js';
import type { ForwardCache, Model } from '../core/model.js';
import type { Params } from '../core/params.js';

const TRAINING: ForwardMode = Object.freeze({ training: true });

/** Computes one shard's mean gradient: see {@link shardGradient}. */
export type ShardGradientFn = (
  params: Params,
  x: Readonly<Float64Array>,
  y: Readonly<Float64Array>,
  rows: number,
  grads: Params,
  mode?: ForwardMode,
) => number;

/**
 * The gradient of a worker's shard: `fn(params, x, y, rows, grads, mode)` runs the model forward
 * on `rows` samples (in training mode by default), writes the gradient of the loss (a mean over
 * the rows, plus the model's weight penalty) into `grads` and returns the loss value (penalty
 * included). Buffers are made once per batch size and reused.
 *
 * @example
 * import { dense, mse, sequential, createRng } from 'gradstream';
 * import { shardGradient } from 'gradstream/node';
 * const model = sequential([dense(1, 1)]);
 * const fn = shardGradient(model, mse());
 * // const lossValue = fn(params, x, y, rows, grads);
 */
export function shardGradient(model: Model, loss: Loss): ShardGradientFn {
  const caches = new Map<number, { cache: ForwardCache; dY: Float64Array }>();
  return (params, x, y, rows, grads, mode = TRAINING) => {
    let c = caches.get(rows);
    if (c === undefined) {
      c = { cache: model.createCache(rows), dY: new Float64Array(rows * model.outputs) };
      caches.set(rows, c);
    }
    const out = model.forward(params, x, c.cache, mode);
    const value = loss.value(out, y, rows, model.outputs) + (model.penalty?.(params) ?? 0);
    loss.grad(c.dY, out, y, rows, model.outputs);
    model.backward(params, c.cache, c.dY, grads);
    return value;
  };
}
