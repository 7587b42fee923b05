import type { Affine } from './scalerAffine.js';
import { denseCodec } from './denseCodec.js';
import type { ExportedLayer } from './exportPlan.js';

/**
 * The layers of an export with the input scaling `x′ = (x − shift) · factor` put in front as a
 * dense layer of kernel `diag(factor)` and bias `−shift ⊙ factor`. Folding the scaling into the
 * first dense layer's weights instead would save a layer but lose accuracy in float32: its bias
 * would cancel terms as large as the raw features, summed over every input, where this layer
 * cancels one feature's shift at a time (as the ONNX export's `Sub` and `Mul` do).
 */
export function scalerLayer(layers: readonly ExportedLayer[], { shift, factor }: Affine): ExportedLayer[] {
  const n = shift.length;
  const W = new Float64Array(n * n);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    W[i * n + i] = factor[i]!;
    b[i] = -shift[i]! * factor[i]!;
  }
  return [{ config: { type: 'dense', inputs: n, units: n }, tensors: [W, b], codec: denseCodec }, ...layers];
}
