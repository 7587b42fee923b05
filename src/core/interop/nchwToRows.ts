import type { OnnxEmitter } from './layerCodec.js';

/** Emits NCHW tensor `y` as rows of NHWC samples (`Transpose`, then `Flatten`); returns the rows' name. */
export function nchwToRows(onnx: OnnxEmitter, y: string): string {
  const nhwc = onnx.node('Transpose', [y], [{ name: 'perm', ints: [0, 2, 3, 1] }]);
  return onnx.node('Flatten', [nhwc], [{ name: 'axis', int: 1 }]);
}
