import { z } from 'zod';
import type * as T from '../core/config/modelConfig.js';
import { MAX_LAYER_UNITS } from './limits.js';
import { ModuleRefConfig } from './moduleRefConfig.js';

const size = z
  .number()
  .int()
  .positive()
  .max(MAX_LAYER_UNITS, {
    message: `Too big: expected at most ${MAX_LAYER_UNITS.toLocaleString('en-US')} (the widest layer gradstream builds)`,
  });
const finite = z.number().finite();

/** The weight initializers a config may name (the functions of the same names). */
export const InitializerName = z.enum([
  'zeros',
  'ones',
  'glorotUniform',
  'glorotNormal',
  'heUniform',
  'heNormal',
  'lecunUniform',
  'lecunNormal',
]) satisfies z.ZodType<T.InitializerName>;
export type InitializerName = T.InitializerName;

/**
 * A weight penalty on a dense layer's kernel: `{"l2":1e-4}` (`l2`), `{"l1":1e-5}` (`l1`), or both
 * (`l1l2`). Values are finite and ≥ 0.
 */
export const KernelRegularizerConfig = z
  .strictObject({ l1: finite.min(0).optional(), l2: finite.min(0).optional() })
  .refine((r) => r.l1 !== undefined || r.l2 !== undefined, {
    message: 'at least one of "l1", "l2"',
    params: { expected: 'at least one of "l1", "l2"', received: 'neither' },
  }) satisfies z.ZodType<T.KernelRegularizerConfig>;
export type KernelRegularizerConfig = T.KernelRegularizerConfig;

/**
 * A fully connected layer (see `dense`). `inputs` may be left out after the first layer (it is
 * the width of the layer before); when given it must match. `weights` are `inputs` rows of
 * `units` numbers and win over `init`; `biases` (`units` numbers) win over `biasInit` (zeros by
 * default). `inputs` and `units` are at most 1,000,000 (`MAX_LAYER_UNITS`), and a model at most
 * 2^27 parameters (`MAX_MODEL_PARAMS`, checked when it is built).
 */
export const DenseLayerConfig = z.strictObject({
  type: z.literal('dense'),
  inputs: size.optional(),
  units: size,
  bias: z.boolean().optional(),
  init: InitializerName.optional(),
  biasInit: InitializerName.optional(),
  weights: z.array(z.array(finite)).optional(),
  biases: z.array(finite).optional(),
  kernelRegularizer: KernelRegularizerConfig.optional(),
}) satisfies z.ZodType<T.DenseLayerConfig>;
export type DenseLayerConfig = T.DenseLayerConfig;

/**
 * A parameter-free layer (activations, softmax): it takes the width of the layer before it.
 * `leakyRelu` and `elu` accept their `alpha`.
 */
export const ActivationLayerConfig = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('relu') }),
  z.strictObject({ type: z.literal('leakyRelu'), alpha: finite.optional() }),
  z.strictObject({ type: z.literal('elu'), alpha: finite.optional() }),
  z.strictObject({ type: z.literal('sigmoid') }),
  z.strictObject({ type: z.literal('tanh') }),
  z.strictObject({ type: z.literal('softplus') }),
  z.strictObject({ type: z.literal('identity') }),
  z.strictObject({ type: z.literal('softmax') }),
]) satisfies z.ZodType<T.ActivationLayerConfig>;
export type ActivationLayerConfig = T.ActivationLayerConfig;

/** Inverted dropout (see `dropout`): drops a fraction `rate` in [0, 1) of its inputs in training. */
export const DropoutLayerConfig = z.strictObject({
  type: z.literal('dropout'),
  rate: z.number().min(0).lt(1),
}) satisfies z.ZodType<T.DropoutLayerConfig>;
export type DropoutLayerConfig = T.DropoutLayerConfig;

/** Batch normalization (see `batchNorm`), with Keras' defaults `momentum` 0.99, `epsilon` 1e-3. */
export const BatchNormLayerConfig = z.strictObject({
  type: z.literal('batchNorm'),
  momentum: z.number().min(0).max(1).optional(),
  epsilon: z.number().positive().optional(),
}) satisfies z.ZodType<T.BatchNormLayerConfig>;
export type BatchNormLayerConfig = T.BatchNormLayerConfig;

// Sequence layers: embedding, lstm, gru

/**
 * An embedding table (see `embedding`): each input is an integer id in `[0, inputDim)`, each row
 * `inputLength` ids (default 1), each id becomes `outputDim` numbers.
 */
export const EmbeddingLayerConfig = z.strictObject({
  type: z.literal('embedding'),
  inputDim: size,
  outputDim: size,
  inputLength: size.optional(),
}) satisfies z.ZodType<T.EmbeddingLayerConfig>;
export type EmbeddingLayerConfig = T.EmbeddingLayerConfig;

/**
 * The shape of a recurrent layer's input rows, `timesteps × features` numbers step after step.
 * Given both, they must multiply to the width of the layer before; given one, the other is that
 * width divided by it; given neither, they are the sequence shape of the layer before when it has
 * one (`embedding`: `inputLength × outputDim`; `lstm`/`gru` with `returnSequences`: `timesteps ×
 * units`; a `reshape` to `[timesteps, features]`), through activations, dropout or batchNorm in
 * between, else `features` is 1 (one number per step: a window of a scalar series). The first
 * layer needs `timesteps` (`features` defaults to 1).
 */
const sequenceFields = {
  units: size,
  timesteps: size.optional(),
  features: size.optional(),
  returnSequences: z.boolean().optional(),
};

/** A long short-term memory layer (see `lstm`); `unitForgetBias` defaults to true. */
export const LstmLayerConfig = z.strictObject({
  type: z.literal('lstm'),
  ...sequenceFields,
  unitForgetBias: z.boolean().optional(),
}) satisfies z.ZodType<T.LstmLayerConfig>;
export type LstmLayerConfig = T.LstmLayerConfig;

/** A gated recurrent unit layer (see `gru`); `resetAfter` defaults to true (Keras 2+). */
export const GruLayerConfig = z.strictObject({
  type: z.literal('gru'),
  ...sequenceFields,
  resetAfter: z.boolean().optional(),
}) satisfies z.ZodType<T.GruLayerConfig>;
export type GruLayerConfig = T.GruLayerConfig;

/** The sequence layers' configs. */
export type SequenceLayerConfig = T.SequenceLayerConfig;

// --- convolution and shapes (Keras' names)
const sizePair = z.union([size, z.tuple([size, size])]);
const imageShape = z.tuple([size, size, size]).describe('[height, width, channels] of one sample');
const padding = z.enum(['valid', 'same']);

/**
 * A 2-D convolution over NHWC samples (see `conv2d`): `{"type":"conv2d","filters":16,
 * "kernelSize":3,"padding":"same"}`. `inputShape` ([height, width, channels]) may be left out
 * after the first layer (it is the output shape of the layer before); when given it must match.
 */
export const Conv2dLayerConfig = z.strictObject({
  type: z.literal('conv2d'),
  inputShape: imageShape.optional(),
  filters: size,
  kernelSize: sizePair,
  strides: sizePair.optional(),
  padding: padding.optional(),
  bias: z.boolean().optional(),
  init: InitializerName.optional(),
  biasInit: InitializerName.optional(),
}) satisfies z.ZodType<T.Conv2dLayerConfig>;
export type Conv2dLayerConfig = T.Conv2dLayerConfig;

const pool2dFields = {
  inputShape: imageShape.optional(),
  poolSize: sizePair.optional(),
  strides: sizePair.optional(),
  padding: padding.optional(),
};
/** Max or average pooling (see `maxPool2d`, `avgPool2d`): `{"type":"maxPool2d","poolSize":2}`; strides default to the pool size. */
export const Pool2dLayerConfig = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('maxPool2d'), ...pool2dFields }),
  z.strictObject({ type: z.literal('avgPool2d'), ...pool2dFields }),
]) satisfies z.ZodType<T.Pool2dLayerConfig>;
export type Pool2dLayerConfig = T.Pool2dLayerConfig;

/** The mean of each channel (see `globalAvgPool2d`): `[height, width, channels]` → `[channels]`. */
export const GlobalAvgPool2dLayerConfig = z.strictObject({
  type: z.literal('globalAvgPool2d'),
  inputShape: imageShape.optional(),
}) satisfies z.ZodType<T.GlobalAvgPool2dLayerConfig>;
export type GlobalAvgPool2dLayerConfig = T.GlobalAvgPool2dLayerConfig;

/** Each sample as one row (see `flatten`). */
export const FlattenLayerConfig = z.strictObject({
  type: z.literal('flatten'),
  inputShape: z.array(size).min(1).optional(),
}) satisfies z.ZodType<T.FlattenLayerConfig>;
export type FlattenLayerConfig = T.FlattenLayerConfig;

/** Each sample in the shape `shape` (see `reshape`): `{"type":"reshape","shape":[8,8,1]}` reads rows of 64 numbers as 8×8 images. */
export const ReshapeLayerConfig = z.strictObject({
  type: z.literal('reshape'),
  shape: z.array(size).min(1),
}) satisfies z.ZodType<T.ReshapeLayerConfig>;
export type ReshapeLayerConfig = T.ReshapeLayerConfig;

/** The layers that know the shape of a sample (convolution, pooling, flatten, reshape). */
export type ShapeLayerConfig = T.ShapeLayerConfig;
const shapeLayerConfigs = [
  Conv2dLayerConfig,
  ...Pool2dLayerConfig.options,
  GlobalAvgPool2dLayerConfig,
  FlattenLayerConfig,
  ReshapeLayerConfig,
] as const;

/** One layer of a {@link ModelConfig}, by `type` (`"module"`: a layer exported by a module file, see `ModuleRefConfig`). */
export const LayerConfig = z.discriminatedUnion('type', [
  DenseLayerConfig,
  ...ActivationLayerConfig.options,
  DropoutLayerConfig,
  BatchNormLayerConfig,
  EmbeddingLayerConfig,
  LstmLayerConfig,
  GruLayerConfig,
  ...shapeLayerConfigs,
  ModuleRefConfig,
]) satisfies z.ZodType<T.LayerConfig>;
export type LayerConfig = T.LayerConfig;

/**
 * A sequential model in a config file or a checkpoint:
 * `{"layers":[{"type":"dense","inputs":2,"units":8},{"type":"relu"},{"type":"dense","units":1}]}`.
 * Consecutive layers must chain (checked by `modelFromConfig`).
 */
export const ModelConfig = z.strictObject({
  layers: z.array(LayerConfig).min(1),
  /** The number type of parameters and passes (see `sequential`): `"float64"` (default) or `"float32"`. */
  precision: z
    .enum(['float64', 'float32'])
    .optional()
    .describe(
      'The number type of parameters, activations, gradients and optimizer state: "float64" (default) or "float32" (faster, to float32 round-off; every layer but dropout and batchNorm).',
    ),
}) satisfies z.ZodType<T.ModelConfig>;
export type ModelConfig = T.ModelConfig;
