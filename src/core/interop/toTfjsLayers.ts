import type { Model } from '../model.js';
import type { Params } from '../params.js';
import { exportPlan } from './exportPlan.js';
import { scalerLayer } from './scalerLayer.js';
import type { TfjsEmitter, TfjsLayerShapes, TfjsWeight } from './layerCodec.js';
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
 * `LeakyReLU`, `ELU`, `Dropout`, `BatchNormalization`, `Conv2D`, `MaxPooling2D`,
 * `AveragePooling2D`, `GlobalAveragePooling2D`, `Flatten`, `Reshape`, `Embedding`, `LSTM` and
 * `GRU` layers with float32 weights. The model takes rows of features, as `predict` does: a `Reshape` to `[height, width,
 * channels]` goes in front of an image layer fed by rows, a `Flatten` in front of a layer of rows
 * fed by images. Likewise for sequences: a `Reshape` to
 * `[timesteps, features]` goes in front of a recurrent layer fed by rows, a `Flatten` after a
 * sequence where rows are needed (and at the end). A scaler becomes
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
  const { emitter, json, chunks, specs, end } = layerEmitter(plan.model.inputs);
  for (const l of layers) l.codec.toTfjs(l.config, l.tensors, emitter, l.shapes);
  end();
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
 * The emitter collecting the Keras layers, their weight specs and values of a model taking rows
 * of `inputs` features. It follows the sample shape between layers: a layer taking another shape
 * than the one before gives gets a `Reshape` (or a `Flatten`, for rows) in front; `end` adds a
 * `Flatten` when the last layer gives another shape than rows, so the model gives rows as
 * `predict` does.
 */
function layerEmitter(inputs: number): {
  emitter: TfjsEmitter;
  json: TfjsLayerConfigJson[];
  specs: TfjsWeightSpec[];
  chunks: Float32Array[];
  end: () => void;
} {
  const json: TfjsLayerConfigJson[] = [];
  const specs: TfjsWeightSpec[] = [];
  const chunks: Float32Array[] = [];
  let shape: readonly number[] = [inputs]; // the sample shape so far; rank 1 for rows
  const push = (className: string, config: Readonly<Record<string, unknown>>, weights: readonly TfjsWeight[]): void => {
    const name = `${className.toLowerCase()}_${json.length}`;
    const first = json.length === 0 ? { batch_input_shape: [null, inputs], dtype: 'float32' } : {};
    json.push({ class_name: className, config: { ...config, name, trainable: true, ...first } });
    for (const w of weights) {
      specs.push({ name: `${name}/${w.suffix}`, shape: [...w.shape], dtype: 'float32' });
      chunks.push(Float32Array.from(w.values));
    }
  };
  const reshapeTo = (want: readonly number[]): void => {
    if (want.length === 1 && shape.length === 1) return;
    if (want.join() === shape.join()) return;
    if (want.length === 1) push('Flatten', {}, []);
    else push('Reshape', { target_shape: [...want] }, []);
  };
  const emitter: TfjsEmitter = {
    layer(className, config, weights = [], shapes?: TfjsLayerShapes) {
      if (shapes === 'elementwise') return push(className, config, weights);
      reshapeTo(shapes === undefined ? [0] : (shapes.input ?? shape));
      push(className, config, weights);
      shape = shapes === undefined ? [0] : shapes.output;
    },
  };
  return { emitter, json, specs, chunks, end: () => reshapeTo([0]) };
}
