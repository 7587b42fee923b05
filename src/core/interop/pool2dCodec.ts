import type { Pool2dLayerConfig } from '../config/modelConfig.js';
import { avgPool2d } from '../layers/avgPool2d.js';
import { checkPadding, checkPair, convGeometry, type ConvGeometry } from '../layers/convGeometry.js';
import { maxPool2d } from '../layers/maxPool2d.js';
import { kerasImageConfig } from './kerasImageConfig.js';
import type { LayerCodec } from './layerCodec.js';
import { onnxWindowOp } from './onnxWindowOp.js';

/**
 * Max and average pooling over NHWC samples: ONNX `MaxPool` and `AveragePool` (explicit pads;
 * `count_include_pad` 0, so a window at the edge averages the cells inside the input, as
 * gradstream and TensorFlow do) between transposes to and from NCHW; Keras `MaxPooling2D` and
 * `AveragePooling2D` (channels last).
 */
export const pool2dCodec: LayerCodec = {
  types: ['maxPool2d', 'avgPool2d'],
  toOnnx(config, _tensors, x, onnx) {
    const c = config as Pool2dLayerConfig;
    const g = geometry(c);
    if (c.type === 'maxPool2d') return onnxWindowOp(onnx, x, g, g.c, 'MaxPool', [], []);
    return onnxWindowOp(onnx, x, g, g.c, 'AveragePool', [], [{ name: 'count_include_pad', int: 0 }]);
  },
  toTfjs(config, _tensors, tfjs) {
    const c = config as Pool2dLayerConfig;
    const g = geometry(c);
    tfjs.layer(
      c.type === 'maxPool2d' ? 'MaxPooling2D' : 'AveragePooling2D',
      { pool_size: [g.kh, g.kw], strides: [g.sh, g.sw], padding: c.padding ?? 'valid', data_format: 'channels_last' },
      [],
      { input: [g.h, g.w, g.c], output: [g.oh, g.ow, g.c] },
    );
  },
  tfjsClasses: ['MaxPooling2D', 'AveragePooling2D'],
  shapedInputs: true,
  fromTfjs(json, _inputs, shape) {
    const k = kerasImageConfig(json, shape);
    const poolSize = k.pair('pool_size', [2, 2]);
    const strides = k.pair('strides', poolSize);
    const same = strides[0] === poolSize[0] && strides[1] === poolSize[1];
    const options = { inputShape: shape, poolSize, padding: k.padding(), ...(same ? {} : { strides }) };
    return [{ layer: json.className === 'MaxPooling2D' ? maxPool2d(options) : avgPool2d(options), tensors: [] }];
  },
};

function geometry(c: Pool2dLayerConfig): ConvGeometry {
  const path = c.type;
  const pool = c.poolSize === undefined ? ([2, 2] as [number, number]) : checkPair(`${path}.poolSize`, c.poolSize);
  const strides = c.strides === undefined ? pool : checkPair(`${path}.strides`, c.strides);
  return convGeometry(`${path}.inputShape`, c.inputShape ?? [], pool, strides, checkPadding(`${path}.padding`, c.padding));
}
