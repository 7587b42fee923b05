import { GradstreamError, describeTyped } from '../errors.js';
import { elu } from '../layers/elu.js';
import { leakyRelu } from '../layers/leakyRelu.js';
import { softmax } from '../layers/softmax.js';
import { relu } from '../layers/relu.js';
import type { ActivationLayerConfig } from '../config/modelConfig.js';
import { kerasActivation } from './kerasActivation.js';
import type { LayerCodec } from './layerCodec.js';

/** The ONNX operator of each parameter-free activation (opset 13). */
const ONNX_OPS: Readonly<Record<ActivationLayerConfig['type'], string>> = {
  relu: 'Relu',
  leakyRelu: 'LeakyRelu',
  elu: 'Elu',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  softplus: 'Softplus',
  identity: 'Identity',
  softmax: 'Softmax',
};

/**
 * The activations and softmax: one ONNX operator each (`Softmax` over axis 1, the features);
 * Keras `Activation` (`identity` as `linear`), `LeakyReLU` and `ELU` layers. TensorFlow.js runs
 * `ELU` with alpha 1 only, so `elu(alpha ≠ 1)` exports to ONNX but not to TensorFlow.js.
 */
export const activationCodec: LayerCodec = {
  types: Object.keys(ONNX_OPS) as ActivationLayerConfig['type'][],
  toOnnx(config, _tensors, x, onnx) {
    const c = config as ActivationLayerConfig;
    if (c.type === 'leakyRelu' || c.type === 'elu') return onnx.node(ONNX_OPS[c.type], [x], [{ name: 'alpha', float: alphaOf(c) }]);
    if (c.type === 'softmax') return onnx.node('Softmax', [x], [{ name: 'axis', int: 1 }]);
    return onnx.node(ONNX_OPS[c.type], [x]);
  },
  toTfjs(config, _tensors, tfjs) {
    const c = config as ActivationLayerConfig;
    if (c.type === 'leakyRelu') return tfjs.layer('LeakyReLU', { alpha: alphaOf(c) }, [], 'elementwise');
    if (c.type === 'elu' && alphaOf(c) !== 1) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: 'toTfjsLayers: elu(alpha)',
        expected: 'alpha 1 (TensorFlow.js runs ELU with alpha 1 only; export to ONNX instead)',
        received: String(alphaOf(c)),
      });
    }
    tfjs.layer(
      'Activation',
      { activation: c.type === 'identity' ? 'linear' : c.type },
      [],
      c.type === 'softmax' ? undefined : 'elementwise',
    );
  },
  tfjsClasses: ['Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax'],
  fromTfjs(json, inputs) {
    const c = json.config;
    const at = (key: string): string => `${json.path}.config.${key}`;
    switch (json.className) {
      case 'Activation':
        return [{ layer: kerasActivation(c.activation, inputs, at('activation')), tensors: [] }];
      case 'ReLU':
        for (const key of ['max_value', 'maxValue']) {
          if (c[key] !== undefined && c[key] !== null)
            throw new GradstreamError({
              code: 'invalid_config',
              path: at(key),
              expected: 'null (gradstream has no capped ReLU)',
              received: describeTyped(c[key]),
            });
        }
        return [{ layer: relu(inputs), tensors: [] }];
      case 'LeakyReLU':
        return [{ layer: leakyRelu(finite(c.alpha ?? c.negative_slope ?? 0.3, at('alpha')), inputs), tensors: [] }];
      case 'ELU':
        return [{ layer: elu(finite(c.alpha ?? 1, at('alpha')), inputs), tensors: [] }];
      default:
        if (c.axis !== undefined && c.axis !== -1 && c.axis !== 1)
          throw new GradstreamError({
            code: 'invalid_config',
            path: at('axis'),
            expected: '-1 or 1 (the features)',
            received: describeTyped(c.axis),
          });
        return [{ layer: softmax(inputs), tensors: [] }];
    }
  },
};

function alphaOf(c: ActivationLayerConfig): number {
  if (c.type === 'leakyRelu') return c.alpha ?? 0.3;
  if (c.type === 'elu') return c.alpha ?? 1;
  return 0;
}

function finite(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new GradstreamError({ code: 'invalid_config', path, expected: 'a finite number', received: describeTyped(v) });
  return v;
}
