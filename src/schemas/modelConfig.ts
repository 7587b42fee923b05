import { z } from 'zod';
import { MAX_LAYER_UNITS } from './limits.js';

const size = z.number().int().positive().max(MAX_LAYER_UNITS, { message: `Too big: expected at most ${MAX_LAYER_UNITS.toLocaleString('en-US')} (the widest layer gradstream builds)` });
const finite = z.number().finite();

/** The weight initializers a config may name (the functions of the same names). */
export const InitializerName = z.enum(['zeros', 'ones', 'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal']);
export type InitializerName = z.infer<typeof InitializerName>;

/**
 * A weight penalty on a dense layer's kernel: `{"l2":1e-4}` (`l2`), `{"l1":1e-5}` (`l1`), or both
 * (`l1l2`). Values are finite and ≥ 0.
 */
export const KernelRegularizerConfig = z
  .strictObject({ l1: finite.min(0).optional(), l2: finite.min(0).optional() })
  .refine((r) => r.l1 !== undefined || r.l2 !== undefined, { message: 'at least one of "l1", "l2"', params: { expected: 'at least one of "l1", "l2"', received: 'neither' } });
export type KernelRegularizerConfig = z.infer<typeof KernelRegularizerConfig>;

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
});
export type DenseLayerConfig = z.infer<typeof DenseLayerConfig>;

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
]);
export type ActivationLayerConfig = z.infer<typeof ActivationLayerConfig>;

/** Inverted dropout (see `dropout`): drops a fraction `rate` in [0, 1) of its inputs in training. */
export const DropoutLayerConfig = z.strictObject({ type: z.literal('dropout'), rate: z.number().min(0).lt(1) });
export type DropoutLayerConfig = z.infer<typeof DropoutLayerConfig>;

/** Batch normalization (see `batchNorm`), with Keras' defaults `momentum` 0.99, `epsilon` 1e-3. */
export const BatchNormLayerConfig = z.strictObject({ type: z.literal('batchNorm'), momentum: z.number().min(0).max(1).optional(), epsilon: z.number().positive().optional() });
export type BatchNormLayerConfig = z.infer<typeof BatchNormLayerConfig>;

/** One layer of a {@link ModelConfig}, by `type`. */
export const LayerConfig = z.discriminatedUnion('type', [DenseLayerConfig, ...ActivationLayerConfig.options, DropoutLayerConfig, BatchNormLayerConfig]);
export type LayerConfig = z.infer<typeof LayerConfig>;

/**
 * A sequential model in a config file or a checkpoint:
 * `{"layers":[{"type":"dense","inputs":2,"units":8},{"type":"relu"},{"type":"dense","units":1}]}`.
 * Consecutive layers must chain (checked by `modelFromConfig`).
 */
export const ModelConfig = z.strictObject({
  layers: z.array(LayerConfig).min(1),
  /** The number type of parameters and passes (see `sequential`): `"float64"` (default) or `"float32"`. */
  precision: z.enum(['float64', 'float32']).optional().describe('The number type of parameters, activations, gradients and optimizer state: "float64" (default) or "float32" (faster, to float32 round-off; dense layers and activations only).'),
});
export type ModelConfig = z.infer<typeof ModelConfig>;
