import { GradstreamError, describeTyped } from '../errors.js';
import type { Precision } from '../kernelsF32.js';
import { shapeSize } from '../layerShape.js';
import { createParamsIn, type Params } from '../params.js';
import { sequential, type SequentialModel } from '../sequential.js';
import type { ImportedLayer, TfjsLayerJson } from './layerCodec.js';
import { LAYER_CODECS } from './layerCodecs.js';
import { readTfjsWeights } from './readTfjsWeights.js';

/** Options of {@link fromTfjsLayers}. */
export interface ImportOptions {
  /** The precision of the model made (default `'float64'`). */
  readonly precision?: Precision | undefined;
}

/** A model imported by {@link fromTfjsLayers} and its weights. */
export interface ImportedModel {
  readonly model: SequentialModel;
  readonly params: Params;
}

/**
 * Imports a TensorFlow.js (or Keras, converted by `tensorflowjs_converter`) Layers model — a
 * `Sequential` of `Dense` (with any supported activation), `Activation`, `ReLU`, `LeakyReLU`,
 * `ELU`, `Softmax`, `Dropout`, `BatchNormalization`, `Conv2D`, `MaxPooling2D`,
 * `AveragePooling2D`, `GlobalAveragePooling2D`, `Flatten`, `Reshape` (image layers channels
 * last), `Embedding`, `LSTM` and `GRU` layers — as a gradstream model and its params, ready for
 * `predict` or to continue training. A model over `[height, width, channels]` images, or
 * `[timesteps, features]` sequences, takes each sample as a row of its numbers in that order. `modelJson` is the parsed
 * `model.json`; `weightData` the weight files it lists, concatenated in manifest order (one file
 * for models TensorFlow.js saved).
 *
 * Errors with a `GradstreamError` naming the field: an unsupported layer (by its class and
 * name), an unsupported option (dilation, groups, `channels_first`, padding other than `'valid'`
 * and `'same'`, a recurrent layer's `go_backwards`, `stateful`, …), a layer of rows on images or
 * sequences without a `Flatten`, a missing or misshapen weight, weights that are not float32.
 *
 * @example
 * import { fromTfjsLayers, predict } from 'gradstream';
 * // const { model, params } = fromTfjsLayers(JSON.parse(modelJsonText), weightsBytes);
 * // predict(model, params, [[5.1, 3.5, 1.4, 0.2]]);
 */
export function fromTfjsLayers(modelJson: unknown, weightData: ArrayBuffer | ArrayBufferView, options: ImportOptions = {}): ImportedModel {
  const root = record(modelJson, 'modelJson', 'a parsed model.json (an object with modelTopology and weightsManifest)');
  const topology = record(root.modelTopology, 'modelTopology', 'a Keras model topology');
  const model =
    topology.model_config === undefined ? topology : record(topology.model_config, 'modelTopology.model_config', 'a Keras model config');
  const base = topology.model_config === undefined ? 'modelTopology' : 'modelTopology.model_config';
  if (model.class_name !== 'Sequential') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${base}.class_name`,
      expected: '"Sequential" (gradstream imports sequential models)',
      received: describeTyped(model.class_name),
    });
  }
  const config = model.config;
  const layersPath = Array.isArray(config) ? `${base}.config` : `${base}.config.layers`;
  const list: unknown = Array.isArray(config) ? config : (config as { layers?: unknown } | null)?.layers;
  if (!Array.isArray(list) || list.length === 0)
    throw new GradstreamError({ code: 'invalid_config', path: layersPath, expected: 'a list of layers', received: describeTyped(list) });
  const weights = readTfjsWeights(root.weightsManifest, weightData);
  const imported = importLayers(list, layersPath, weights);
  const m = sequential(
    imported.map((l) => l.layer),
    options.precision === undefined ? {} : { precision: options.precision },
  );
  const params = createParamsIn(m.layout, m.precision);
  let t = 0;
  for (const l of imported) for (const values of l.tensors) params.tensors[t++]!.set(values);
  return { model: m, params };
}

type Weights = ReturnType<typeof readTfjsWeights>;

function importLayers(list: readonly unknown[], path: string, weights: Weights): ImportedLayer[] {
  const out: ImportedLayer[] = [];
  let shape: readonly number[] = [];
  list.forEach((entry, i) => {
    const at = `${path}[${i}]`;
    const json = record(entry, at, 'a layer ({ class_name, config })');
    const className = json.class_name;
    const config = record(json.config, `${at}.config`, 'the layer config');
    const name = typeof config.name === 'string' ? config.name : `layer ${i}`;
    if (shape.length === 0) shape = inputShape(config, `${at}.config`);
    if (className === 'InputLayer') return;
    const codec = LAYER_CODECS.find((c) => typeof className === 'string' && c.tfjsClasses.includes(className));
    if (codec === undefined) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: at,
        expected: `a supported layer (${['InputLayer', ...LAYER_CODECS.flatMap((c) => c.tfjsClasses)].join(', ')})`,
        received: `${typeof className === 'string' ? className : describeTyped(className)} ${JSON.stringify(name)}`,
      });
    }
    if (shape.length > 1 && codec.shapedInputs !== true && !elementwise(className as string, config))
      throw rowsRefused(at, className as string, name, shape);
    const layerJson: TfjsLayerJson = {
      className: className as string,
      config,
      path: at,
      weight: (suffix, wShape, optional) => weightOf(weights, name, suffix, wShape, at, optional === true),
    };
    const made = codec.fromTfjs(layerJson, shapeSize(shape), shape);
    for (const l of made) out.push(l);
    if (codec.shapedInputs === true || shape.length === 1) shape = outputShape(made);
  });
  if (out.length === 0)
    throw new GradstreamError({ code: 'invalid_config', path, expected: 'at least one layer besides InputLayer', received: 'none' });
  return out;
}

/**
 * The refusal of a layer of rows (`Dense`, `BatchNormalization`, `Softmax`) on samples of `shape`:
 * Keras computes it over the last axis, gradstream's over the whole row.
 */
function rowsRefused(path: string, className: string, name: string, shape: readonly number[]): GradstreamError {
  const dims = `[${shape.join(', ')}]`;
  if (shape.length === 2) {
    return new GradstreamError({
      code: 'invalid_config',
      path,
      expected: `a Flatten layer before ${className} (it acts on the last axis of a ${dims} sample; gradstream's on the whole row)`,
      received: `${className} on samples of shape ${dims}`,
    });
  }
  return new GradstreamError({
    code: 'invalid_shape',
    path,
    expected: `rows of features for ${className} ${JSON.stringify(name)} (a Flatten before it)`,
    received: `samples of shape ${dims}`,
  });
}

/**
 * The sample shape after imported layers: the last shape one of them gives (an activation after
 * it keeps it), its own `shape` first (a sequence), else its layer's `outputShape`.
 */
function outputShape(made: readonly ImportedLayer[]): readonly number[] {
  for (let i = made.length - 1; i >= 0; i--) {
    const shape = made[i]!.shape ?? made[i]!.layer.outputShape;
    if (shape !== undefined) return shape;
  }
  return [made[made.length - 1]!.layer.outputs];
}

/** Keras layers that act on each number alone, so on samples of any shape. */
function elementwise(className: string, config: Readonly<Record<string, unknown>>): boolean {
  if (className === 'Activation') return config.activation !== 'softmax';
  return className === 'ReLU' || className === 'LeakyReLU' || className === 'ELU' || className === 'Dropout';
}

/** The sample shape of the first layer, from its `batch_input_shape` (`[null, features]`, `[null, timesteps, features]`, `[null, height, width, channels]`). */
function inputShape(config: Readonly<Record<string, unknown>>, path: string): readonly number[] {
  const shape = config.batch_input_shape ?? config.batchInputShape ?? config.batch_shape;
  const dims = Array.isArray(shape) ? (shape.slice(1) as unknown[]) : [];
  if (dims.length === 0 || !dims.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${path}.batch_input_shape`,
      expected:
        '[null, features] or [null, timesteps, features] (known sizes), [null, height, width, channels] or another sample shape after null',
      received: describeTyped(shape),
    });
  }
  return dims as number[];
}

function weightOf(
  weights: Weights,
  layer: string,
  suffix: string,
  shape: readonly number[],
  path: string,
  optional: boolean,
): Float32Array | undefined {
  const name = `${layer}/${suffix}`;
  let w = weights.get(name);
  if (w === undefined) for (const [k, v] of weights) if (k.endsWith(`/${name}`)) w = v;
  // Keras keeps a recurrent layer's weights in its cell: `lstm/lstm_cell/kernel`.
  if (w === undefined) for (const [k, v] of weights) if (cellWeight(k, layer, suffix)) w = v;
  if (w === undefined) {
    if (optional) return undefined;
    throw new GradstreamError({
      code: 'invalid_config',
      path: `weightsManifest: ${name}`,
      expected: `the weight of ${path}, shape [${shape.join(', ')}]`,
      received: 'no such weight',
    });
  }
  if (w.shape.join() !== shape.join()) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: `weightsManifest: ${name}`,
      expected: `shape [${shape.join(', ')}]`,
      received: `[${w.shape.join(', ')}]`,
    });
  }
  return w.values;
}

/** Whether weight `name` is `<layer>/<cell>/<suffix>`, possibly under a model's name. */
function cellWeight(name: string, layer: string, suffix: string): boolean {
  const parts = name.split('/');
  return parts.length >= 3 && parts[parts.length - 1] === suffix && parts[parts.length - 3] === layer;
}

function record(v: unknown, path: string, expected: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new GradstreamError({ code: 'invalid_config', path, expected, received: describeTyped(v) });
  return v as Record<string, unknown>;
}
