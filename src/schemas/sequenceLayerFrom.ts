import { GradstreamError } from '../core/errors.js';
import type { Layer } from '../core/layer.js';
import { embedding } from '../core/layers/embedding.js';
import { gru } from '../core/layers/gru.js';
import { lstm } from '../core/layers/lstm.js';
import { describeLayer } from '../core/sequential.js';
import type { LayerConfig, SequenceLayerConfig } from './modelConfig.js';

/** Whether a layer config is one of the sequence layers (embedding, lstm, gru). */
export function isSequenceLayerConfig(spec: LayerConfig): spec is SequenceLayerConfig {
  return spec.type === 'embedding' || spec.type === 'lstm' || spec.type === 'gru';
}

/**
 * Builds layer `i` of `specs`, a sequence layer, after the built `layers` before it: a recurrent
 * layer's `timesteps × features` are completed from the width and sequence shape of the layer
 * before (see `LstmLayerConfig`), with errors naming the field when they do not fit.
 */
export function sequenceLayerFrom(specs: readonly LayerConfig[], layers: readonly Layer[], i: number, path: string): Layer {
  const spec = specs[i] as SequenceLayerConfig;
  if (spec.type === 'embedding') {
    if (i > 0) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${path}.type`,
        expected: 'an embedding as the first layer (its inputs are ids)',
        received: `"embedding" after ${describeLayer(layers[i - 1]!)}`,
      });
    }
    return embedding(spec.inputDim, spec.outputDim, spec.inputLength === undefined ? {} : { inputLength: spec.inputLength });
  }
  const { timesteps, features } = inputShape(spec, layers, i, path);
  const shape = { timesteps, features, ...(spec.returnSequences === undefined ? {} : { returnSequences: spec.returnSequences }) };
  if (spec.type === 'lstm')
    return lstm(spec.units, { ...shape, ...(spec.unitForgetBias === undefined ? {} : { unitForgetBias: spec.unitForgetBias }) });
  return gru(spec.units, { ...shape, ...(spec.resetAfter === undefined ? {} : { resetAfter: spec.resetAfter }) });
}

function inputShape(
  spec: Exclude<SequenceLayerConfig, { type: 'embedding' }>,
  layers: readonly Layer[],
  i: number,
  path: string,
): { timesteps: number; features: number } {
  if (i === 0) {
    if (spec.timesteps === undefined) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${path}.timesteps`,
        expected: 'the number of steps per input row (required on the first layer)',
        received: 'nothing',
      });
    }
    return { timesteps: spec.timesteps, features: spec.features ?? 1 };
  }
  const width = layers[i - 1]!.outputs;
  const before = `the width of layer ${i - 1}, ${describeLayer(layers[i - 1]!)}`;
  const fits = (n: number): boolean => width % n === 0;
  if (spec.timesteps !== undefined && spec.features !== undefined) {
    if (spec.timesteps * spec.features !== width) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${path}.timesteps`,
        expected: `timesteps × features = ${width} (${before})`,
        received: `${spec.timesteps} × ${spec.features}`,
      });
    }
    return { timesteps: spec.timesteps, features: spec.features };
  }
  if (spec.timesteps !== undefined) {
    if (!fits(spec.timesteps))
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${path}.timesteps`,
        expected: `a divisor of ${width} (${before})`,
        received: String(spec.timesteps),
      });
    return { timesteps: spec.timesteps, features: width / spec.timesteps };
  }
  if (spec.features !== undefined) {
    if (!fits(spec.features))
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${path}.features`,
        expected: `a divisor of ${width} (${before})`,
        received: String(spec.features),
      });
    return { timesteps: width / spec.features, features: spec.features };
  }
  const seq = sequenceBefore(layers, i);
  return seq !== undefined && seq.timesteps * seq.features === width ? seq : { timesteps: width, features: 1 };
}

/** Layers whose output has the shape of their input: a sequence shape passes through them. */
const SHAPE_KEEPING: ReadonlySet<string> = new Set([
  'relu',
  'leakyRelu',
  'elu',
  'sigmoid',
  'tanh',
  'softplus',
  'identity',
  'softmax',
  'dropout',
  'batchNorm',
]);

/**
 * The sequence shape of the output before layer `i`, if it has one: an embedding's, a recurrent
 * layer's with `returnSequences`, a two-dimensional `reshape`'s (`shape: [timesteps, features]`),
 * through shape-keeping layers in between.
 */
function sequenceBefore(layers: readonly Layer[], i: number): { timesteps: number; features: number } | undefined {
  for (let k = i - 1; k >= 0; k--) {
    const s = layers[k]!.toConfig?.();
    if (s === undefined) return undefined;
    if (s.type === 'embedding') return { timesteps: s.inputLength ?? 1, features: s.outputDim };
    if (s.type === 'lstm' || s.type === 'gru')
      return s.returnSequences === true && s.timesteps !== undefined ? { timesteps: s.timesteps, features: s.units } : undefined;
    const other = s as { readonly type: string; readonly shape?: unknown };
    if (other.type === 'reshape') return reshapeSequence(other.shape);
    if (!SHAPE_KEEPING.has(other.type)) return undefined;
  }
  return undefined;
}

/** `[timesteps, features]` of a reshape to two dimensions, else undefined. */
function reshapeSequence(shape: unknown): { timesteps: number; features: number } | undefined {
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 1)) return undefined;
  return { timesteps: shape[0] as number, features: shape[1] as number };
}
