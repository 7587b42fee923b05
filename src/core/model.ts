import type { Precision } from './kernelsF32.js';
import type { ForwardMode } from './layer.js';
import type { Params, ParamLayout } from './params.js';
import type { Rng } from './rng.js';

/**
 * Buffers of one forward pass for a given batch size, kept for the backward pass. Made by
 * {@link Model.createCache}, reused every step of that batch size.
 */
export interface ForwardCache {
  readonly batchSize: number;
  /** `activations[0]` is the input of the last forward pass; `activations[i + 1]` layer i's output. */
  readonly activations: Float64Array[];
  /** Scratch for `∂L/∂activations[i]` during backward. */
  readonly deltas: Float64Array[];
}

/**
 * A differentiable model: parameters described by a {@link ParamLayout}, a batched forward pass
 * and its backward pass. Inputs are `[batch, inputs]` row-major matrices.
 */
export interface Model {
  readonly layout: ParamLayout;
  /**
   * The number type of the parameters and every buffer of the passes (`'float64'` when absent):
   * with `'float32'`, `init` returns `Float32Array` data and views, `forward` returns a
   * `Float32Array` (the static types still say `Float64Array`), the input `x` stays float64 and
   * is rounded into the cache's float32 input buffer.
   */
  readonly precision?: Precision;
  readonly inputs: number;
  readonly outputs: number;
  /** Fresh parameters drawn from `rng` with each layer's initializer. */
  init(rng: Rng): Params;
  /** Preallocates the buffers of a forward + backward pass for `batchSize` rows. */
  createCache(batchSize: number): ForwardCache;
  /**
   * Runs the model on `x` (`batchSize × inputs`); returns the output buffer (owned by `cache`).
   * `mode` defaults to inference; the `forward` operator trains (`{ training: true, rng, step }`):
   * dropout drops, batch normalization normalizes with the batch's statistics and folds them
   * into its moving statistics (non-trainable tensors of `params`, updated in place).
   */
  forward(params: Params, x: Readonly<Float64Array>, cache: ForwardCache, mode?: ForwardMode): Float64Array;
  /**
   * Backpropagates `dY = ∂L/∂output` through the last forward pass (in that pass's mode) into
   * `grads` (overwritten; penalties' gradients included; 0 for non-trainable tensors).
   */
  backward(params: Params, cache: ForwardCache, dY: Readonly<Float64Array>, grads: Params): void;
  /**
   * The weight penalty of `params` (kernel regularizers), added to the data loss by the `loss`
   * operator. Absent when no layer has one.
   */
  penalty?(params: Params): number;
}
