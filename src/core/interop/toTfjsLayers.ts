import type { Model } from '../model.js';
import type { Params } from '../params.js';
import { shapeSize } from '../layerShape.js';
import { exportPlan, type ExportedLayer, type ExportPlan } from './exportPlan.js';
import { keepsShape } from './keepsShape.js';
import { scalerLayer } from './scalerLayer.js';
import type { TfjsEmitter } from './layerCodec.js';
import { scalerAffine } from './scalerAffine.js';
import type { TfjsLayerConfigJson, TfjsModelJson, TfjsWeightSpec } from './tfjsModelJson.js';
import type { ExportOptions } from './toOnnx.js';

/** Options of {@link toTfjsLayers}. */
export interface TfjsExportOptions extends ExportOptions {
  /** The weights file `model.json` names (default `weights.bin`, next to it). */
  readonly weightsPath?: string | undefined;
}

/** A TensorFlow.js Layers model: the `model.json` object and the binary weights it names. */
export interface TfjsLayersModel {
  readonly modelJson: TfjsModelJson;
  /** The float32 weights, little-endian, in the order of `modelJson.weightsManifest`. */
  readonly weightData: ArrayBuffer;
}

/**
 * Exports a trained model (as `toOnnx` takes it) in the TensorFlow.js Layers format (`model.json` + weights, as
 * `tf.loadLayersModel` reads them): a Keras `Sequential` of `Dense` (linear), `Activation`,
 * `LeakyReLU`, `ELU`, `Dropout`, `BatchNormalization`, `Embedding`, `LSTM` and `GRU` layers with
 * float32 weights, its input rows as `predict` takes them (a `Reshape` in front of a recurrent
 * layer fed with rows, a `Flatten` after a sequence where rows are needed). A scaler becomes
 * a first `Dense` layer of diagonal kernel `1/std` (or `1/(max − min)`) and bias `−mean/std` (or
 * `−min/(max − min)`), so the export takes raw features as `predict` does. Errors with a `GradstreamError` as `toOnnx` does, and for `elu` with an alpha
 * other than 1 and `gru` with `resetAfter` (which TensorFlow.js does not run).
 *
 * @example
 * import { createRng, dense, relu, sequential, toTfjsLayers } from 'gradstream';
 * const model = sequential([dense(4, 8), relu(), dense(8, 3)]);
 * const { modelJson, weightData } = toTfjsLayers(model, model.init(createRng(1)));
 * // write JSON.stringify(modelJson) to model.json and weightData to weights.bin
 */
export function toTfjsLayers(model: Model, params: Params, options: TfjsExportOptions = {}): TfjsLayersModel {
  const plan = exportPlan('toTfjsLayers', model, params, options.scaler);
  const layers =
    plan.scaler === undefined
      ? plan.layers
      : scalerLayer(plan.layers, scalerAffine(plan.scaler, plan.model.inputs, 'toTfjsLayers(options.scaler)'));
  const { json, specs, chunks } = emitLayers(plan, layers);
  const weightData = new Float32Array(chunks.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    weightData.set(c, at);
    at += c.length;
  }
  const modelJson: TfjsModelJson = {
    format: 'layers-model',
    generatedBy: 'gradstream',
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'sequential', layers: json },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    weightsManifest: [{ paths: [options.weightsPath ?? 'weights.bin'], weights: specs }],
  };
  return { modelJson, weightData: weightData.buffer };
}

/**
 * The Keras layers of `layers` (the plan's, after the scaler's if any), with their weights. A
 * sample keeps the shape Keras gives it (`[timesteps, units]` after a recurrent layer returning
 * sequences) into layers that take shapes and elementwise layers; before any other layer, and at
 * the end, a `Flatten` makes it a row again, as gradstream sees it.
 */
function emitLayers(
  plan: ExportPlan,
  layers: readonly ExportedLayer[],
): { json: TfjsLayerConfigJson[]; specs: TfjsWeightSpec[]; chunks: Float32Array[] } {
  const json: TfjsLayerConfigJson[] = [];
  const specs: TfjsWeightSpec[] = [];
  const chunks: Float32Array[] = [];
  let shape: readonly number[] = [plan.model.inputs];
  let width = plan.model.inputs;
  const emitter: TfjsEmitter = {
    get shape() {
      return shape;
    },
    layer(className, config, weights = [], outputShape) {
      const name = `${className.toLowerCase()}_${json.length}`;
      const first = json.length === 0 ? { batch_input_shape: [null, plan.model.inputs], dtype: 'float32' } : {};
      json.push({ class_name: className, config: { ...config, name, trainable: true, ...first } });
      for (const w of weights) {
        specs.push({ name: `${name}/${w.suffix}`, shape: [...w.shape], dtype: 'float32' });
        chunks.push(Float32Array.from(w.values));
      }
      shape = outputShape === undefined ? [width] : [...outputShape];
    },
  };
  const flatten = (): void => {
    width = shapeSize(shape);
    emitter.layer('Flatten', {});
  };
  const offset = layers.length - plan.layers.length; // the scaler's layer, if any, comes first
  layers.forEach((l, i) => {
    const layer = i < offset ? undefined : plan.model.layers[i - offset];
    const before = shape;
    const keep = shape.length > 1 && l.codec.takesShape !== true && layer !== undefined && keepsShape(layer);
    if (shape.length > 1 && l.codec.takesShape !== true && !keep) flatten();
    width = layer?.outputs ?? plan.model.inputs;
    l.codec.toTfjs(l.config, l.tensors, emitter);
    if (keep) shape = before;
  });
  if (shape.length > 1) flatten();
  return { json, specs, chunks };
}
