import type { ConvGeometry } from '../layers/convGeometry.js';
import type { OnnxAttribute } from './encodeOnnxModel.js';
import type { OnnxEmitter } from './layerCodec.js';
import { nchwToRows } from './nchwToRows.js';

/**
 * Emits the ONNX window operator `opType` (`Conv`, `MaxPool`, `AveragePool`) of geometry `g` on
 * `x`, rows of NHWC samples: `Reshape` to `[batch, h, w, c]` and `Transpose` to NCHW (the layout
 * the operators take; skipped when the emitter has `x` in NCHW already), the operator with
 * TensorFlow's padding as explicit `pads` (the odd row or column below or right), `Transpose`
 * back to NHWC and `Flatten` to rows. Returns the rows' name; `channels` is the operator's output
 * channels.
 */
export function onnxWindowOp(
  onnx: OnnxEmitter,
  x: string,
  g: ConvGeometry,
  channels: number,
  opType: string,
  weights: readonly string[],
  attributes: readonly OnnxAttribute[],
): string {
  let nchw = onnx.nchw?.(x, [g.h, g.w, g.c]);
  if (nchw === undefined) {
    const image = onnx.node('Reshape', [x, onnx.int64Constant('shape', [4], [-1, g.h, g.w, g.c])]);
    nchw = onnx.node('Transpose', [image], [{ name: 'perm', ints: [0, 3, 1, 2] }]);
  }
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
  const rows = nchwToRows(onnx, y);
  onnx.rememberNchw?.(rows, y, [g.oh, g.ow, channels]);
  return rows;
}
