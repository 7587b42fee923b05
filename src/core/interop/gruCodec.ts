import { GradstreamError, describeTyped } from '../errors.js';
import { gru } from '../layers/gru.js';
import type { GruLayerConfig } from '../config/modelConfig.js';
import { kerasRecurrent } from './kerasRecurrent.js';
import type { LayerCodec } from './layerCodec.js';
import { onnxRecurrent } from './onnxRecurrent.js';
import { tfjsRecurrent } from './tfjsRecurrent.js';

/**
 * Gated recurrent units: the ONNX `GRU` operator (gates z, r, h in both; `linear_before_reset` 1
 * for `resetAfter`, with the input and recurrent biases as `Wb` and `Rb`); a Keras `GRU` (tanh,
 * sigmoid recurrent activation), with a `Reshape` to `[timesteps, features]` in front when its
 * input is a row. TensorFlow.js runs `reset_after: false` only, so a `gru` with `resetAfter` (the
 * default) exports to ONNX but not to TensorFlow.js; both import.
 */
export const gruCodec: LayerCodec = {
  types: ['gru'],
  toOnnx(config, tensors, x, onnx) {
    const c = sizes(config as GruLayerConfig);
    const G = 3 * c.units;
    const [kernel, recurrent, b] = tensors as [Float64Array, Float64Array, Float64Array];
    const resetAfter = (config as GruLayerConfig).resetAfter ?? true;
    return onnxRecurrent(onnx, x, {
      op: 'GRU',
      ...c,
      kernel,
      recurrent,
      bias: b.subarray(0, G),
      recurrentBias: resetAfter ? b.subarray(G, 2 * G) : undefined,
      order: [0, 1, 2],
      attributes: [{ name: 'linear_before_reset', int: resetAfter ? 1 : 0 }],
    });
  },
  toTfjs(config, tensors, tfjs) {
    const c = sizes(config as GruLayerConfig);
    if ((config as GruLayerConfig).resetAfter ?? true) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: 'toTfjsLayers: gru(resetAfter)',
        expected: 'resetAfter false (TensorFlow.js runs GRU with reset_after false only; export to ONNX instead)',
        received: 'true',
      });
    }
    tfjsRecurrent(tfjs, {
      className: 'GRU',
      ...c,
      options: { reset_after: false },
      tensors,
    });
  },
  tfjsClasses: ['GRU'],
  fromTfjs(json, _inputs, shape) {
    const k = kerasRecurrent(json, shape);
    const { units: U, timesteps, features: F, returnSequences } = k;
    const resetAfter = json.config.reset_after ?? true;
    if (typeof resetAfter !== 'boolean')
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${json.path}.config.reset_after`,
        expected: 'true or false',
        received: describeTyped(resetAfter),
      });
    const G = 3 * U;
    const tensors = [k.weight('kernel', [F, G]), k.weight('recurrent_kernel', [U, G]), k.weight('bias', resetAfter ? [2, G] : [G])];
    const layer = gru(U, { timesteps, features: F, returnSequences, resetAfter });
    return [{ layer, tensors, ...(returnSequences ? { shape: [timesteps, U] } : {}) }];
  },
  shapedInputs: true,
};

function sizes(c: GruLayerConfig): { units: number; timesteps: number; features: number; returnSequences: boolean } {
  return { units: c.units, timesteps: c.timesteps ?? 1, features: c.features ?? 1, returnSequences: c.returnSequences ?? false };
}
