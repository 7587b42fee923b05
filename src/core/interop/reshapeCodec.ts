import type { ReshapeLayerConfig } from '../config/modelConfig.js';
import { GradstreamError, describeTyped } from '../errors.js';
import { shapeSize } from '../layerShape.js';
import { reshape } from '../layers/reshape.js';
import type { LayerCodec } from './layerCodec.js';

/**
 * Reshape: in ONNX the identity (samples travel as rows; the next operator reads its own shape);
 * Keras `Reshape` (`target_shape`; one `-1` on import takes the size left).
 */
export const reshapeCodec: LayerCodec = {
  types: ['reshape'],
  toOnnx(_config, _tensors, x, onnx) {
    return onnx.node('Identity', [x]);
  },
  toTfjs(config, _tensors, tfjs) {
    const shape = (config as ReshapeLayerConfig).shape;
    tfjs.layer('Reshape', { target_shape: [...shape] }, [], { output: shape });
  },
  tfjsClasses: ['Reshape'],
  shapedInputs: true,
  fromTfjs(json, inputs) {
    return [{ layer: reshape(targetShape(json.config.target_shape, inputs, `${json.path}.config.target_shape`)), tensors: [] }];
  },
};

/** Keras' `target_shape` for samples of `inputs` numbers, its `-1` (at most one) resolved. */
function targetShape(v: unknown, inputs: number, path: string): number[] {
  const dims = Array.isArray(v) ? (v as unknown[]) : [];
  const ok = dims.length >= 1 && dims.every((d) => d === -1 || (typeof d === 'number' && Number.isSafeInteger(d) && d >= 1));
  const known = ok ? shapeSize(dims.filter((d) => d !== -1) as number[]) : 0;
  const free = dims.filter((d) => d === -1).length;
  const size = free === 1 && known > 0 && inputs % known === 0 ? inputs / known : free === 0 ? known : 0;
  if (!ok || free > 1 || size < 1 || (free === 0 && known !== inputs) || (free === 1 && known * size !== inputs)) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path,
      expected: `a shape of ${inputs} numbers (the layer's input), at most one -1`,
      received: describeTyped(v),
    });
  }
  return dims.map((d) => (d === -1 ? size : (d as number)));
}
