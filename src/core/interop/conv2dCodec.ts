import type { Conv2dLayerConfig } from '../config/modelConfig.js';
import { conv2d } from '../layers/conv2d.js';
import { checkPadding, checkPair, convGeometry, type ConvGeometry } from '../layers/convGeometry.js';
import { GradstreamError, describeTyped } from '../errors.js';
import { kerasActivation } from './kerasActivation.js';
import { kerasImageConfig } from './kerasImageConfig.js';
import type { ImportedLayer, LayerCodec } from './layerCodec.js';
import { onnxWindowOp } from './onnxWindowOp.js';

/**
 * 2-D convolutions over NHWC samples: ONNX `Conv` (kernel in OIHW order, TensorFlow's `'same'`
 * padding as explicit pads) between transposes to and from NCHW; Keras `Conv2D` (channels last,
 * kernel `[kh, kw, channels, filters]` as gradstream keeps it). An imported `Conv2D` with an
 * activation becomes a conv2d layer and that activation's layer; dilation, groups and other data
 * formats are refused.
 */
export const conv2dCodec: LayerCodec = {
  types: ['conv2d'],
  toOnnx(config, tensors, x, onnx) {
    const g = geometry(config as Conv2dLayerConfig);
    const f = (config as Conv2dLayerConfig).filters;
    const W = onnx.constant('W', [f, g.c, g.kh, g.kw], toOihw(tensors[0]!, g, f));
    const weights = tensors.length > 1 ? [W, onnx.constant('b', [f], tensors[1]!)] : [W];
    return onnxWindowOp(onnx, x, g, f, 'Conv', weights, [
      { name: 'dilations', ints: [1, 1] },
      { name: 'group', int: 1 },
    ]);
  },
  toTfjs(config, tensors, tfjs) {
    const c = config as Conv2dLayerConfig;
    const g = geometry(c);
    const bias = tensors.length > 1;
    const weights = [{ suffix: 'kernel', shape: [g.kh, g.kw, g.c, c.filters], values: tensors[0]! }];
    if (bias) weights.push({ suffix: 'bias', shape: [c.filters], values: tensors[1]! });
    tfjs.layer(
      'Conv2D',
      {
        filters: c.filters,
        kernel_size: [g.kh, g.kw],
        strides: [g.sh, g.sw],
        padding: c.padding ?? 'valid',
        data_format: 'channels_last',
        dilation_rate: [1, 1],
        activation: 'linear',
        use_bias: bias,
      },
      weights,
      { input: [g.h, g.w, g.c], output: [g.oh, g.ow, c.filters] },
    );
  },
  tfjsClasses: ['Conv2D'],
  shapedInputs: true,
  fromTfjs(json, _inputs, shape) {
    const k = kerasImageConfig(json, shape);
    k.only('dilation_rate', [1, [1, 1]], '1 (gradstream has no dilated convolution)');
    k.only('groups', [1], '1 (gradstream has no grouped convolution)');
    const filters = json.config.filters;
    if (typeof filters !== 'number' || !Number.isSafeInteger(filters) || filters < 1) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${json.path}.config.filters`,
        expected: 'an integer ≥ 1',
        received: describeTyped(filters),
      });
    }
    const kernel = k.pair('kernel_size');
    const bias = (json.config.use_bias ?? true) === true;
    const layer = conv2d({
      inputShape: shape,
      filters,
      kernelSize: kernel,
      strides: k.pair('strides', [1, 1]),
      padding: k.padding(),
      bias,
    });
    const W = json.weight('kernel', [kernel[0], kernel[1], shape[2]!, filters])!;
    const layers: ImportedLayer[] = [{ layer, tensors: bias ? [W, json.weight('bias', [filters])!] : [W] }];
    const activation = json.config.activation ?? 'linear';
    if (activation !== 'linear')
      layers.push({ layer: kerasActivation(activation, layer.outputs, `${json.path}.config.activation`), tensors: [] });
    return layers;
  },
};

function geometry(c: Conv2dLayerConfig): ConvGeometry {
  const strides = c.strides === undefined ? ([1, 1] as [number, number]) : checkPair('conv2d.strides', c.strides);
  return convGeometry(
    'conv2d.inputShape',
    c.inputShape ?? [],
    checkPair('conv2d.kernelSize', c.kernelSize),
    strides,
    checkPadding('conv2d.padding', c.padding),
  );
}

/** The kernel `[kh, kw, c, f]` (HWIO) in ONNX's `[f, c, kh, kw]` (OIHW) order. */
function toOihw(W: Readonly<Float64Array>, g: ConvGeometry, f: number): Float64Array {
  const out = new Float64Array(W.length);
  for (let i = 0; i < g.kh; i++)
    for (let j = 0; j < g.kw; j++)
      for (let q = 0; q < g.c; q++)
        for (let o = 0; o < f; o++) out[((o * g.c + q) * g.kh + i) * g.kw + j] = W[((i * g.kw + j) * g.c + q) * f + o]!;
  return out;
}
