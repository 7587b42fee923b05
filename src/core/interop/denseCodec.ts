import { GradstreamError, describeTyped } from '../errors.js';
import { dense } from '../dense.js';
import type { DenseLayerConfig } from '../config/modelConfig.js';
import { kerasActivation } from './kerasActivation.js';
import type { ImportedLayer, LayerCodec } from './layerCodec.js';

/**
 * Dense layers: ONNX `Gemm` (`x·W + b`); Keras `Dense` with a linear activation. An imported
 * `Dense` with an activation becomes a dense layer and that activation's layer.
 */
export const denseCodec: LayerCodec = {
  types: ['dense'],
  toOnnx(config, tensors, x, onnx) {
    const { inputs, units } = sizes(config as DenseLayerConfig, tensors);
    const w = onnx.constant('W', [inputs, units], tensors[0]!);
    const args = tensors.length > 1 ? [x, w, onnx.constant('b', [units], tensors[1]!)] : [x, w];
    return onnx.node('Gemm', args);
  },
  toTfjs(config, tensors, tfjs) {
    const { inputs, units } = sizes(config as DenseLayerConfig, tensors);
    const bias = tensors.length > 1;
    const weights = [{ suffix: 'kernel', shape: [inputs, units], values: tensors[0]! }];
    if (bias) weights.push({ suffix: 'bias', shape: [units], values: tensors[1]! });
    tfjs.layer('Dense', { units, activation: 'linear', use_bias: bias }, weights);
  },
  tfjsClasses: ['Dense'],
  fromTfjs(json, inputs) {
    const units = json.config.units;
    if (typeof units !== 'number' || !Number.isSafeInteger(units) || units < 1) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${json.path}.config.units`,
        expected: 'an integer ≥ 1',
        received: describeTyped(units),
      });
    }
    const useBias = json.config.use_bias ?? true;
    const W = json.weight('kernel', [inputs, units])!;
    const b = useBias === true ? json.weight('bias', [units])! : undefined;
    const layers: ImportedLayer[] = [{ layer: dense(inputs, units, { bias: b !== undefined }), tensors: b === undefined ? [W] : [W, b] }];
    const activation = json.config.activation ?? 'linear';
    if (activation !== 'linear') layers.push({ layer: kerasActivation(activation, units, `${json.path}.config.activation`), tensors: [] });
    return layers;
  },
};

function sizes(config: DenseLayerConfig, tensors: readonly Float64Array[]): { inputs: number; units: number } {
  const units = config.units;
  return { inputs: tensors[0]!.length / units, units };
}
