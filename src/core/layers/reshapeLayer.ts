import type { LayerConfig } from '../config/modelConfig.js';
import type { Layer } from '../layer.js';
import { copyValues as copy } from './copyValues.js';

/**
 * A parameter-free layer that passes each sample's `n` numbers on unchanged, in row-major order,
 * under another shape (`flatten`, `reshape`): both passes are copies; the float32 form is the
 * layer itself.
 */
export function reshapeLayer(
  kind: 'flatten' | 'reshape',
  n: number,
  inputShape: readonly number[] | undefined,
  outputShape: readonly number[],
  config: LayerConfig,
): Layer {
  const layer: Layer = {
    kind,
    inputs: n,
    outputs: n,
    ...(inputShape === undefined ? {} : { inputShape }),
    outputShape,
    params: [],
    init() {},
    forward(_p, x, y, batch) {
      copy(y, x, batch * n);
    },
    backward(_p, _x, _y, dY, dX, _g, batch) {
      if (dX !== null) copy(dX, dY, batch * n);
    },
    toConfig: () => structuredClone(config),
    float32: () => layer,
  };
  return layer;
}
