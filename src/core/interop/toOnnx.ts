import type { Model } from '../model.js';
import type { Params } from '../params.js';
import { encodeOnnxModel, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './encodeOnnxModel.js';
import { exportPlan } from './exportPlan.js';
import { pruneOnnxGraph } from './pruneOnnxGraph.js';
import { withNchwLayouts } from './withNchwLayouts.js';
import type { OnnxEmitter } from './layerCodec.js';
import { scalerAffine, type ExportScaler } from './scalerAffine.js';

/** Options of {@link toOnnx} and `toTfjsLayers`. */
export interface ExportOptions {
  /**
   * The input scaling the model was trained behind (a checkpoint's `scaler`, or the fitted
   * scaler): it becomes the exported graph's first operation, so the export takes raw features
   * exactly as `predict` on `withScaler(model, scaler)` does. A model behind `withScaler` brings
   * its own.
   */
  readonly scaler?: ExportScaler | undefined;
}

/** The ONNX operator set the exports use. */
export const ONNX_OPSET = 13;

/**
 * Exports a trained model (made by `sequential` or `modelFromConfig`, possibly behind
 * `withScaler`) as an ONNX model (a `ModelProto`, opset 13, float32): input `input`
 * `[batch, inputs]`, output `output` `[batch, outputs]`. Dense layers become `Gemm`, activations
 * their operators, dropout `Identity` and batch normalization `BatchNormalization` with its moving
 * statistics (the inference form `predict` runs). Convolutions and pooling become `Conv`,
 * `MaxPool` and `AveragePool` (TensorFlow's `'same'` padding as explicit pads) on NCHW tensors,
 * with `Transpose`s from and to the NHWC rows gradstream uses only where rows are needed (image
 * layers in a row, and elementwise activations between them, stay in NCHW), `globalAvgPool2d` a
 * `ReduceMean`,
 * `flatten` and `reshape` `Identity`; an embedding `Cast` and `Gather`, `lstm` and `gru` ONNX's
 * `LSTM` and `GRU` operators between reshapes of the rows. A scaler becomes `Sub` and `Mul` nodes
 * in front. float64 models are exported with their weights rounded to float32.
 *
 * Errors with a `GradstreamError` when the model is not a `sequential` model of built-in layers,
 * the params are not its own or the scaler does not fit its inputs.
 *
 * @example
 * import { createRng, dense, relu, sequential, toOnnx } from 'gradstream';
 * const model = sequential([dense(4, 8), relu(), dense(8, 3)]);
 * const bytes: Uint8Array = toOnnx(model, model.init(createRng(1)));
 * // write `bytes` to model.onnx; onnxruntime runs it
 */
export function toOnnx(model: Model, params: Params, options: ExportOptions = {}): Uint8Array {
  const { model: m, layers, scaler } = exportPlan('toOnnx', model, params, options.scaler);
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  let prefix = 'scaler';
  const emitter: OnnxEmitter = withNchwLayouts({
    constant(suffix, dims, values) {
      const name = `${prefix}.${suffix}`;
      initializers.push({ name, dims, values: Float32Array.from(values) });
      return name;
    },
    int64Constant(suffix, dims, values) {
      const name = `${prefix}.${suffix}`;
      initializers.push({ name, dims, values: BigInt64Array.from(values, (v) => BigInt(v)) });
      return name;
    },
    node(opType, inputs, attributes: readonly OnnxAttribute[] = [], output = 0) {
      const name = `${prefix}.${opType}${nodes.length}`;
      const outputs = Array.from({ length: output + 1 }, (_, k) => (k === output ? name : ''));
      nodes.push({ opType, name, inputs, outputs, attributes });
      return name;
    },
  });
  let x = 'input';
  if (scaler !== undefined) {
    const { shift, factor } = scalerAffine(scaler, m.inputs, 'toOnnx(options.scaler)');
    x = emitter.node('Sub', [x, emitter.constant('shift', [m.inputs], shift)]);
    x = emitter.node('Mul', [x, emitter.constant('factor', [m.inputs], factor)]);
  }
  layers.forEach((l, i) => {
    prefix = String(i);
    x = l.codec.toOnnx(l.config, l.tensors, x, emitter, l.shapes);
  });
  // The operator of the last layer's result writes the graph's output (the one output it names).
  let last = nodes.length - 1;
  while (last > 0 && !nodes[last]!.outputs.includes(x)) last--;
  nodes[last] = { ...nodes[last]!, outputs: nodes[last]!.outputs.map((o) => (o === x ? 'output' : o)) };
  return encodeOnnxModel({
    name: 'gradstream',
    ...pruneOnnxGraph(nodes, initializers, 'output'),
    input: { name: 'input', width: m.inputs },
    output: { name: 'output', width: m.outputs },
    opset: ONNX_OPSET,
  });
}
