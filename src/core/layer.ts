import type { LayerConfig } from './config/modelConfig.js';
import type { Rng } from './rng.js';

/** One parameter tensor of a layer, named locally (`"W"`, `"b"`); the model prefixes the layer index. */
export interface LayerParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /**
   * False for model state that lives with the parameters but is not trained (batch
   * normalization's moving statistics): optimizers never change it, checkpoints keep it.
   * Default true.
   */
  readonly trainable?: boolean;
}

/**
 * How a model runs: training (dropout drops, batch normalization uses and records batch
 * statistics) or inference (the default: `predict`, validation, evaluation).
 */
export interface ForwardMode {
  readonly training: boolean;
  /**
   * The run's seeded generator (`train({ rng })`, on every step record). Dropout needs it in
   * training; it reads its state and never advances it (see `dropout`).
   */
  readonly rng?: Rng | undefined;
  /** The training step (`record.step`): dropout masks and the moving statistics key on it. */
  readonly step?: number | undefined;
  /**
   * In training: false for a pass that evaluates without learning, which batch normalization
   * runs on the batch's statistics without folding them into its moving statistics (the run's
   * final record, whose update is never applied). Default true.
   */
  readonly foldStats?: boolean | undefined;
}

/** Inference mode, the default of `Model.forward`. */
export const INFERENCE: ForwardMode = Object.freeze({ training: false });

/**
 * What a layer's forward and backward passes know beyond their tensors. The model makes one per
 * layer per cache (so per batch size) and sets the mode fields before each forward pass; the
 * backward pass sees the values of the forward pass before it.
 */
export interface LayerContext {
  /** The layer's index in its model. */
  readonly index: number;
  training: boolean;
  rng: Rng | undefined;
  /** The training step, or -1 when not known. */
  step: number;
  /** False when a training pass must not fold its batch into moving statistics ({@link ForwardMode.foldStats}); absent: true. */
  foldStats?: boolean;
  /** A 32-bit key read from `rng`'s state (0 without one): counter-based randomness keys on it. */
  key: number;
  /** The layer's buffers from {@link Layer.createScratch} for this batch size (empty without). */
  readonly scratch: readonly Float64Array[];
}

/**
 * A layer maps a `[batch, inputs]` matrix to a `[batch, outputs]` matrix. Forward and backward
 * write into buffers the caller preallocated; `params` / `grads` are the layer's own tensor views
 * in the order of {@link Layer.params}. Layers that behave differently in training (dropout,
 * batch normalization) read `ctx`; without `ctx` a pass is an inference pass.
 */
export interface Layer {
  /** A short name for summaries, e.g. `dense` or `relu`. */
  readonly kind: string;
  readonly inputs: number;
  readonly outputs: number;
  /**
   * The shape of one input sample when it is more than a row of `inputs` numbers (`[height,
   * width, channels]` for `conv2d`, row major, channels last); the product is `inputs`.
   */
  readonly inputShape?: readonly number[];
  /** The shape of one output sample (`[8, 8, 1]` after `reshape([8, 8, 1])`); the product is `outputs`. */
  readonly outputShape?: readonly number[];
  /**
   * The same layer for inputs of `shape`, for a layer made without an input shape (`conv2d({
   * filters: 8, kernelSize: 3 })`, `flatten()`): `sequential` calls it with the output shape of
   * the layer before. Such a layer has `inputs` 0 until then.
   */
  withInputShape?(shape: readonly number[]): Layer;
  readonly params: readonly LayerParamSpec[];
  /** Fills the layer's parameter views with initial values drawn from `rng`. */
  init(rng: Rng, params: readonly Float64Array[]): void;
  /** `y = f(x)` for `batch` rows. */
  forward(params: readonly Float64Array[], x: Readonly<Float64Array>, y: Float64Array, batch: number, ctx?: LayerContext): void;
  /**
   * Given `dY = ∂L/∂y`, writes `∂L/∂params` into `grads` (overwriting; 0 for non-trainable
   * tensors) and, when `dX` is not null, `∂L/∂x` into `dX`. `x` and `y` are the forward pass's
   * input and output; `ctx` is the forward pass's.
   */
  backward(
    params: readonly Float64Array[],
    x: Readonly<Float64Array>,
    y: Readonly<Float64Array>,
    dY: Readonly<Float64Array>,
    dX: Float64Array | null,
    grads: readonly Float64Array[],
    batch: number,
    ctx?: LayerContext,
  ): void;
  /** Buffers the layer keeps between its forward and backward passes, for `batch` rows. */
  createScratch?(batch: number): Float64Array[];
  /**
   * A penalty on the layer's weights (e.g. `kernelRegularizer`) added to the training loss; its
   * gradient is added by `backward`.
   */
  penalty?(params: readonly Float64Array[]): number;
  /**
   * The layer as config data (its kind and options, never its weights), from which
   * `modelFromConfig` rebuilds it. Built-in layers have it; a custom layer may not.
   */
  toConfig?(): LayerConfig;
  /**
   * The same layer computing in float32, for `sequential(layers, { precision: 'float32' })`: its
   * `params`, `grads`, `x`, `y`, `dY` and `dX` are then `Float32Array`s at run time (still typed
   * `Float64Array`). Dense layers, the activations, convolution, pooling, flatten and reshape
   * have it; a layer without it (batchNorm, dropout, a custom layer) computes in float64 only, and
   * a float32 model refuses it.
   */
  float32?(): Layer;
}
