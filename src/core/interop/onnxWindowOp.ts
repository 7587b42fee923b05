import type { ConvGeometry } from '../layers/convGeometry.js';
import type { OnnxAttribute } from './encodeOnnxModel.js';
import type { OnnxEmitter } from './layerCodec.js';

/**
 * Emits the ONNX window operator `opType` (`Conv`, `MaxPool`, `AveragePool`) of geometry `g` on
 * `x`, rows of NHWC samples: `Reshape` to `[batch, h, w, c]`, `Transpose` to NCHW (the layout the
 * operators take), the operator with TensorFlow's padding as explicit `pads` (the odd row or
 * column below or right), `Transpose` back to NHWC and `Flatten` to rows. Returns the rows' name.
 */
export function onnxWindowOp(
  onnx: OnnxEmitter,
  x: string,
  g: ConvGeometry,
  opType: string,
  weights: readonly string[],
  attributes: readonly OnnxAttribute[],
): string {
  const image = onnx.node('Reshape', [x, onnx.int64Constant('shape', [4], [-1, g.h, g.w, g.c])]);
  const nchw = onnx.node('Transpose', [image], [{ name: 'perm', ints: [0, 3, 1, 2] }]);
  // Rows and columns of zeros in all: 0 for 'valid' windows, which end inside the input.
  const padH = Math.max((g.oh - 1) * g.sh + g.kh - g.h, 0);
  const padW = Math.max((g.ow - 1) * g.sw + g.kw - g.w, 0);
  const y = onnx.node(
    opType,
    [nchw, ...weights],
    [
      { name: 'kernel_shape', ints: [g.kh, g.kw] },
      { name: 'strides', ints: [g.sh, g.sw] },
      { name: 'pads', ints: [g.top, g.left, padH - g.top, padW - g.left] },
      ...attributes,
    ],
  );
  const nhwc = onnx.node('Transpose', [y], [{ name: 'perm', ints: [0, 2, 3, 1] }]);
  return onnx.node('Flatten', [nhwc], [{ name: 'axis', int: 1 }]);
}
