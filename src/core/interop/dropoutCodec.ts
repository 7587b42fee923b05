import { GradstreamError, describeTyped } from '../errors.js';
import { dropout } from '../layers/dropout.js';
import type { DropoutLayerConfig } from '../config/modelConfig.js';
import type { LayerCodec } from './layerCodec.js';

/** Dropout: the identity in inference, so ONNX `Identity`; Keras `Dropout` (its rate kept). */
export const dropoutCodec: LayerCodec = {
  types: ['dropout'],
  toOnnx(_config, _tensors, x, onnx) {
    return onnx.node('Identity', [x]);
  },
  toTfjs(config, _tensors, tfjs) {
    tfjs.layer('Dropout', { rate: (config as DropoutLayerConfig).rate }, [], 'elementwise');
  },
  tfjsClasses: ['Dropout'],
  fromTfjs(json, inputs) {
    const rate = json.config.rate ?? 0;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${json.path}.config.rate`,
        expected: 'a number in [0, 1)',
        received: describeTyped(rate),
      });
    }
    return [{ layer: dropout(rate, inputs), tensors: [] }];
  },
};
