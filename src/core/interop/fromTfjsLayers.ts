import { GradstreamError, describeTyped } from '../errors.js';
import type { Precision } from '../kernelsF32.js';
import { createParamsIn, type Params } from '../params.js';
import { sequential, type SequentialModel } from '../sequential.js';
import type { ImportedLayer, TfjsLayerJson } from './layerCodec.js';
import { LAYER_CODECS } from './layerCodecs.js';
import { keepsShape } from './keepsShape.js';
import { readTfjsWeights } from './readTfjsWeights.js';
import { shapeSize } from '../layerShape.js';

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
 * `ELU`, `Softmax`, `Dropout`, `BatchNormalization`, `Embedding`, `LSTM` and `GRU` layers — as a
 * gradstream model and its params, ready for `predict` or to continue training. `modelJson` is the parsed
 * `model.json`; `weightData` the weight files it lists, concatenated in manifest order (one file
 * for models TensorFlow.js saved).
 *
 * Errors with a `GradstreamError` naming the field: an unsupported layer (by its class and
 * name) or option (a recurrent layer's `go_backwards`, `stateful`, …), a `Dense` on a sequence
 * without a `Flatten`, a missing or misshapen weight, weights that are not float32.
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
  let shape: readonly number[] | undefined;
  list.forEach((entry, i) => {
    const at = `${path}[${i}]`;
    const json = record(entry, at, 'a layer ({ class_name, config })');
    const className = json.class_name;
    const config = record(json.config, `${at}.config`, 'the layer config');
    const name = typeof config.name === 'string' ? config.name : `layer ${i}`;
    shape ??= inputShape(config, `${at}.config`);
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
    const layerJson: TfjsLayerJson = {
      className: className as string,
      config,
      path: at,
      weight: (suffix, shape, optional) => weightOf(weights, name, suffix, shape, at, optional === true),
    };
    const rows = shape.length > 1 && codec.takesShape !== true;
    // A layer of rows on a shaped sample is made as Keras makes it, on the last axis, first.
    const made = codec.fromTfjs(layerJson, rows ? shape[shape.length - 1]! : shapeSize(shape), shape);
    shape = nextShape(shape, made, rows, at, className as string);
    for (const l of rows ? codec.fromTfjs(layerJson, shapeSize(shape), [shapeSize(shape)]) : made) out.push(l);
  });
  if (out.length === 0)
    throw new GradstreamError({ code: 'invalid_config', path, expected: 'at least one layer besides InputLayer', received: 'none' });
  return out;
}

/**
 * The shape of a sample after the layers `made` of one Keras layer: the one they give, else the
 * shape before for elementwise layers (Keras applies them to any shape), else a row. Other layers
 * of `rows` (`Dense`, `BatchNormalization`, `Softmax`) on a shaped sample compute over its last
 * axis in Keras: refused, as gradstream's would read the whole sample.
 */
function nextShape(before: readonly number[], made: readonly ImportedLayer[], rows: boolean, path: string, className: string): number[] {
  if (rows && !made.every((l) => keepsShape(l.layer))) {
    throw new GradstreamError({
      code: 'invalid_config',
      path,
      expected: `a Flatten layer before ${className} (it acts on the last axis of a [${before.join(', ')}] sample; gradstream's on the whole row)`,
      received: `${className} on samples of shape [${before.join(', ')}]`,
    });
  }
  const last = made[made.length - 1]!;
  if (last.shape !== undefined) return [...last.shape];
  return rows ? [...before] : [last.layer.outputs];
}

/** The shape of one input sample of the first layer, from its `batch_input_shape` (`[null, features]`, `[null, timesteps, features]`). */
function inputShape(config: Readonly<Record<string, unknown>>, path: string): number[] {
  const shape = config.batch_input_shape ?? config.batchInputShape ?? config.batch_shape;
  const dims = Array.isArray(shape) && shape.length >= 2 ? (shape.slice(1) as unknown[]) : [];
  if (dims.length === 0 || !dims.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${path}.batch_input_shape`,
      expected: '[null, features] or [null, timesteps, features] (known sizes)',
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
