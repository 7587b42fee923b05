import { z } from 'zod';

const size = z.number().int().positive();
const finite = z.number().finite();

/** The weight initializers a config may name (the functions of the same names). */
export const InitializerName = z.enum(['zeros', 'ones', 'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal']);
export type InitializerName = z.infer<typeof InitializerName>;

/**
 * A fully connected layer (see `dense`). `inputs` may be left out after the first layer (it is
 * the width of the layer before); when given it must match. `weights` are `inputs` rows of
 * `units` numbers and win over `init`; `biases` (`units` numbers) win over `biasInit` (zeros by
 * default).
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

/** One layer of a {@link ModelConfig}, by `type`. */
export const LayerConfig = z.discriminatedUnion('type', [DenseLayerConfig, ...ActivationLayerConfig.options]);
export type LayerConfig = z.infer<typeof LayerConfig>;

/**
 * A sequential model in a config file or a checkpoint:
 * `{"layers":[{"type":"dense","inputs":2,"units":8},{"type":"relu"},{"type":"dense","units":1}]}`.
 * Consecutive layers must chain (checked by `modelFromConfig`).
 */
export const ModelConfig = z.strictObject({
  layers: z.array(LayerConfig).min(1),
});
export type ModelConfig = z.infer<typeof ModelConfig>;
