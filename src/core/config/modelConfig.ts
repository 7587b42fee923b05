/**
 * The model configs as plain types: what a config file or a checkpoint holds, and what layers give
 * back from `toConfig()`. The zod schemas that validate them live in src/schemas/modelConfig.ts.
 */
import type { ModuleRefConfig } from './moduleRefConfig.js';

/** The weight initializers a config may name (the functions of the same names). */
export type InitializerName =
  | 'zeros'
  | 'ones'
  | 'glorotUniform'
  | 'glorotNormal'
  | 'heUniform'
  | 'heNormal'
  | 'lecunUniform'
  | 'lecunNormal';

/** A weight penalty on a dense layer's kernel: `{"l2":1e-4}`, `{"l1":1e-5}`, or both. */
export type KernelRegularizerConfig = {
  l1?: number;
  l2?: number;
};

/** A fully connected layer (see `dense`). */
export type DenseLayerConfig = {
  type: 'dense';
  inputs?: number;
  units: number;
  bias?: boolean;
  init?: InitializerName;
  biasInit?: InitializerName;
  weights?: number[][];
  biases?: number[];
  kernelRegularizer?: KernelRegularizerConfig;
};

/** A parameter-free layer (activations, softmax); `leakyRelu` and `elu` accept their `alpha`. */
export type ActivationLayerConfig =
  | { type: 'relu' }
  | { type: 'leakyRelu'; alpha?: number }
  | { type: 'elu'; alpha?: number }
  | { type: 'sigmoid' }
  | { type: 'tanh' }
  | { type: 'softplus' }
  | { type: 'identity' }
  | { type: 'softmax' };

/** Inverted dropout (see `dropout`): drops a fraction `rate` in [0, 1) of its inputs in training. */
export type DropoutLayerConfig = {
  type: 'dropout';
  rate: number;
};

/** Batch normalization (see `batchNorm`), with Keras' defaults `momentum` 0.99, `epsilon` 1e-3. */
export type BatchNormLayerConfig = {
  type: 'batchNorm';
  momentum?: number;
  epsilon?: number;
};

/** An embedding table (see `embedding`). */
export type EmbeddingLayerConfig = {
  type: 'embedding';
  inputDim: number;
  outputDim: number;
  inputLength?: number;
};

/** A long short-term memory layer (see `lstm`); `unitForgetBias` defaults to true. */
export type LstmLayerConfig = {
  type: 'lstm';
  units: number;
  timesteps?: number;
  features?: number;
  returnSequences?: boolean;
  unitForgetBias?: boolean;
};

/** A gated recurrent unit layer (see `gru`); `resetAfter` defaults to true (Keras 2+). */
export type GruLayerConfig = {
  type: 'gru';
  units: number;
  timesteps?: number;
  features?: number;
  returnSequences?: boolean;
  resetAfter?: boolean;
};

/** The sequence layers' configs. */
export type SequenceLayerConfig = EmbeddingLayerConfig | LstmLayerConfig | GruLayerConfig;

/** A size or a [height, width] pair. */
type SizePair = number | [number, number];

/** A 2-D convolution over NHWC samples (see `conv2d`). */
export type Conv2dLayerConfig = {
  type: 'conv2d';
  inputShape?: [number, number, number];
  filters: number;
  kernelSize: SizePair;
  strides?: SizePair;
  padding?: 'valid' | 'same';
  bias?: boolean;
  init?: InitializerName;
  biasInit?: InitializerName;
};

/** Max or average pooling (see `maxPool2d`, `avgPool2d`); strides default to the pool size. */
export type Pool2dLayerConfig =
  | {
      type: 'maxPool2d';
      inputShape?: [number, number, number];
      poolSize?: SizePair;
      strides?: SizePair;
      padding?: 'valid' | 'same';
    }
  | {
      type: 'avgPool2d';
      inputShape?: [number, number, number];
      poolSize?: SizePair;
      strides?: SizePair;
      padding?: 'valid' | 'same';
    };

/** The mean of each channel (see `globalAvgPool2d`): `[height, width, channels]` → `[channels]`. */
export type GlobalAvgPool2dLayerConfig = {
  type: 'globalAvgPool2d';
  inputShape?: [number, number, number];
};

/** Each sample as one row (see `flatten`). */
export type FlattenLayerConfig = {
  type: 'flatten';
  inputShape?: number[];
};

/** Each sample in the shape `shape` (see `reshape`). */
export type ReshapeLayerConfig = {
  type: 'reshape';
  shape: number[];
};

/** The layers that know the shape of a sample (convolution, pooling, flatten, reshape). */
export type ShapeLayerConfig = Conv2dLayerConfig | Pool2dLayerConfig | GlobalAvgPool2dLayerConfig | FlattenLayerConfig | ReshapeLayerConfig;

/** One layer of a {@link ModelConfig}, by `type`. */
export type LayerConfig =
  | DenseLayerConfig
  | ActivationLayerConfig
  | DropoutLayerConfig
  | BatchNormLayerConfig
  | SequenceLayerConfig
  | ShapeLayerConfig
  | ModuleRefConfig;

/** A sequential model in a config file or a checkpoint. */
export type ModelConfig = {
  layers: LayerConfig[];
  /** The number type of parameters and passes (see `sequential`): `"float64"` (default) or `"float32"`. */
  precision?: 'float64' | 'float32';
};
