import { GradstreamError, describeTyped } from '../errors.js';
import { lstm } from '../layers/lstm.js';
import type { LstmLayerConfig } from '../config/modelConfig.js';
import { kerasRecurrent } from './kerasRecurrent.js';
import type { LayerCodec } from './layerCodec.js';
import { onnxRecurrent } from './onnxRecurrent.js';
import { tfjsRecurrent } from './tfjsRecurrent.js';

/** ONNX's gates i, o, f, c from Keras' i, f, c, o. */
const ONNX_ORDER = [0, 3, 1, 2];

/**
 * Long short-term memory layers: the ONNX `LSTM` operator (gates reordered to ONNX's i, o, f, c;
 * no recurrent bias); a Keras `LSTM` (tanh, sigmoid recurrent activation), with a `Reshape` to
 * `[timesteps, features]` in front when its input is a row.
 */
export const lstmCodec: LayerCodec = {
  types: ['lstm'],
  toOnnx(config, tensors, x, onnx) {
    const c = sizes(config as LstmLayerConfig);
    const [kernel, recurrent, bias] = tensors as [Float64Array, Float64Array, Float64Array];
    return onnxRecurrent(onnx, x, { op: 'LSTM', ...c, kernel, recurrent, bias, order: ONNX_ORDER, attributes: [] });
  },
  toTfjs(config, tensors, tfjs) {
    const l = config as LstmLayerConfig;
    const c = sizes(l);
    tfjsRecurrent(tfjs, {
      className: 'LSTM',
      ...c,
      options: { unit_forget_bias: l.unitForgetBias ?? true },
      tensors,
    });
  },
  tfjsClasses: ['LSTM'],
  fromTfjs(json, _inputs, shape) {
    const k = kerasRecurrent(json, shape);
    const { units: U, timesteps, features: F, returnSequences } = k;
    const unitForgetBias = json.config.unit_forget_bias ?? true;
    if (typeof unitForgetBias !== 'boolean' && unitForgetBias !== null)
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${json.path}.config.unit_forget_bias`,
        expected: 'true or false',
        received: describeTyped(unitForgetBias),
      });
    const tensors = [k.weight('kernel', [F, 4 * U]), k.weight('recurrent_kernel', [U, 4 * U]), k.weight('bias', [4 * U])];
    const layer = lstm(U, { timesteps, features: F, returnSequences, unitForgetBias: unitForgetBias !== false });
    return [{ layer, tensors, ...(returnSequences ? { shape: [timesteps, U] } : {}) }];
  },
  shapedInputs: true,
};

function sizes(c: LstmLayerConfig): { units: number; timesteps: number; features: number; returnSequences: boolean } {
  return { units: c.units, timesteps: c.timesteps ?? 1, features: c.features ?? 1, returnSequences: c.returnSequences ?? false };
}
