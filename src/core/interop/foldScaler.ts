import type { DenseLayerConfig } from '../../schemas/modelConfig.js';
import type { Affine } from './scalerAffine.js';
import { denseCodec } from './denseCodec.js';
import type { ExportedLayer } from './exportedLayers.js';

/**
 * The layers of an export with the input scaling `x′ = (x − shift) · factor` folded into its
 * first dense layer (`W′ = diag(factor)·W`, `b′ = b − (shift ⊙ factor)·W`, in float64), or, when
 * the model does not start with a dense layer, a dense layer of weights `diag(factor)` and bias
 * `−shift ⊙ factor` put in front.
 */
export function foldScaler(layers: readonly ExportedLayer[], { shift, factor }: Affine): ExportedLayer[] {
  const n = shift.length;
  const first = layers[0]!;
  if (first.config.type !== 'dense') {
    const W = new Float64Array(n * n);
    const b = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      W[i * n + i] = factor[i]!;
      b[i] = -shift[i]! * factor[i]!;
    }
    return [{ config: { type: 'dense', inputs: n, units: n }, tensors: [W, b], codec: denseCodec }, ...layers];
  }
  const units = (first.config as DenseLayerConfig).units;
  const W0 = first.tensors[0]!;
  const W = new Float64Array(n * units);
  const b = first.tensors.length > 1 ? Float64Array.from(first.tensors[1]!) : new Float64Array(units);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < units; c++) {
      const w = W0[r * units + c]!;
      W[r * units + c] = factor[r]! * w;
      b[c]! -= shift[r]! * factor[r]! * w;
    }
  }
  return [{ config: { ...first.config, bias: true }, tensors: [W, b], codec: denseCodec }, ...layers.slice(1)];
}
