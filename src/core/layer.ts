import type { LayerConfig } from '../schemas/modelConfig.js';
import type { Rng } from './rng.js';

/** One parameter tensor of a layer, named locally (`"W"`, `"b"`); the model prefixes the layer index. */
export interface LayerParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/**
 * A layer maps a `[batch, inputs]` matrix to a `[batch, outputs]` matrix. Forward and backward
 * write into buffers the caller preallocated; `params` / `grads` are the layer's own tensor views
 * in the order of {@link Layer.params}.
 */
export interface Layer {
  /** A short name for summaries, e.g. `dense` or `relu`. */
  readonly kind: string;
  readonly inputs: number;
  readonly outputs: number;
  readonly params: readonly LayerParamSpec[];
  /** Fills the layer's parameter views with initial values drawn from `rng`. */
  init(rng: Rng, params: readonly Float64Array[]): void;
  /** `y = f(x)` for `batch` rows. */
  forward(params: readonly Float64Array[], x: Readonly<Float64Array>, y: Float64Array, batch: number): void;
  /**
   * Given `dY = ∂L/∂y`, writes `∂L/∂params` into `grads` (overwriting) and, when `dX` is not null,
   * `∂L/∂x` into `dX`. `x` and `y` are the forward pass's input and output.
   */
  backward(
    params: readonly Float64Array[],
    x: Readonly<Float64Array>,
    y: Readonly<Float64Array>,
    dY: Readonly<Float64Array>,
    dX: Float64Array | null,
    grads: readonly Float64Array[],
    batch: number,
  ): void;
  /**
   * The layer as config data (its kind and options, never its weights), from which
   * `modelFromConfig` rebuilds it. Built-in layers have it; a custom layer may not.
   */
  toConfig?(): LayerConfig;
}
