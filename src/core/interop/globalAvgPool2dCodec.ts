import type { GlobalAvgPool2dLayerConfig } from '../config/modelConfig.js';
import { GradstreamError, describeTyped } from '../errors.js';
import { globalAvgPool2d } from '../layers/globalAvgPool2d.js';
import { kerasImageConfig } from './kerasImageConfig.js';
import type { LayerCodec } from './layerCodec.js';

/**
 * Global average pooling: in ONNX, `Reshape` to `[batch, height · width, channels]` and
 * `ReduceMean` over the positions (NHWC needs no transpose; an NCHW input from the operator before
 * is averaged over its last two axes); Keras `GlobalAveragePooling2D`
 * (channels last, without `keepdims`).
 */
export const globalAvgPool2dCodec: LayerCodec = {
  types: ['globalAvgPool2d'],
  toOnnx(config, _tensors, x, onnx) {
    const [h, w, c] = shapeOf(config as GlobalAvgPool2dLayerConfig);
    const nchw = onnx.nchw?.(x, [h, w, c]);
    if (nchw !== undefined)
      return onnx.node(
        'ReduceMean',
        [nchw],
        [
          { name: 'axes', ints: [2, 3] },
          { name: 'keepdims', int: 0 },
        ],
      );
    const positions = onnx.node('Reshape', [x, onnx.int64Constant('shape', [3], [-1, h * w, c])]);
    return onnx.node(
      'ReduceMean',
      [positions],
      [
        { name: 'axes', ints: [1] },
        { name: 'keepdims', int: 0 },
      ],
    );
  },
  toTfjs(config, _tensors, tfjs) {
    const [h, w, c] = shapeOf(config as GlobalAvgPool2dLayerConfig);
    tfjs.layer('GlobalAveragePooling2D', { data_format: 'channels_last' }, [], { input: [h, w, c], output: [c] });
  },
  tfjsClasses: ['GlobalAveragePooling2D'],
  shapedInputs: true,
  fromTfjs(json, _inputs, shape) {
    kerasImageConfig(json, shape).only('keepdims', [false], 'false (gradstream gives [channels])');
    return [{ layer: globalAvgPool2d({ inputShape: shape }), tensors: [] }];
  },
};

function shapeOf(config: GlobalAvgPool2dLayerConfig): [number, number, number] {
  const s = config.inputShape;
  if (s === undefined || s.length !== 3)
    throw new GradstreamError({
      code: 'invalid_shape',
      path: 'globalAvgPool2d.inputShape',
      expected: '[height, width, channels]',
      received: describeTyped(s),
    });
  return s;
}
