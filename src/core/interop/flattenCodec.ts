import { flatten } from '../layers/flatten.js';
import { kerasImageConfig } from './kerasImageConfig.js';
import type { LayerCodec } from './layerCodec.js';

/**
 * Flatten: in ONNX the identity (gradstream samples already travel as rows in NHWC order); Keras
 * `Flatten` (channels last).
 */
export const flattenCodec: LayerCodec = {
  types: ['flatten'],
  toOnnx(_config, _tensors, x, onnx) {
    return onnx.node('Identity', [x]);
  },
  toTfjs(_config, _tensors, tfjs, shapes) {
    tfjs.layer('Flatten', {}, [], { output: [shapes?.output[0] ?? 0] });
  },
  tfjsClasses: ['Flatten'],
  shapedInputs: true,
  fromTfjs(json, _inputs, shape) {
    kerasImageConfig(json, shape, true);
    return [{ layer: flatten({ inputShape: shape }), tensors: [] }];
  },
};
