import { GradstreamError, describeTyped } from '../errors.js';
import { batchNorm } from '../layers/batchNorm.js';
import type { BatchNormLayerConfig } from '../config/modelConfig.js';
import type { LayerCodec } from './layerCodec.js';

/**
 * Batch normalization in its inference form, `gamma · (x − movingMean) / sqrt(movingVariance + ε)
 * + beta`: ONNX `BatchNormalization`; Keras `BatchNormalization` over the last axis.
 */
export const batchNormCodec: LayerCodec = {
  types: ['batchNorm'],
  toOnnx(config, tensors, x, onnx) {
    const c = config as BatchNormLayerConfig;
    const n = tensors[0]!.length;
    const names = ['gamma', 'beta', 'movingMean', 'movingVariance'].map((s, i) => onnx.constant(s, [n], tensors[i]!));
    return onnx.node(
      'BatchNormalization',
      [x, ...names],
      [
        { name: 'epsilon', float: c.epsilon ?? 1e-3 },
        { name: 'momentum', float: c.momentum ?? 0.99 },
      ],
    );
  },
  toTfjs(config, tensors, tfjs) {
    const c = config as BatchNormLayerConfig;
    const n = tensors[0]!.length;
    const weights = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((suffix, i) => ({ suffix, shape: [n], values: tensors[i]! }));
    tfjs.layer(
      'BatchNormalization',
      { axis: -1, momentum: c.momentum ?? 0.99, epsilon: c.epsilon ?? 1e-3, center: true, scale: true },
      weights,
    );
  },
  tfjsClasses: ['BatchNormalization'],
  fromTfjs(json, inputs) {
    const c = json.config;
    const at = (key: string): string => `${json.path}.config.${key}`;
    const axis = Array.isArray(c.axis) && c.axis.length === 1 ? (c.axis[0] as unknown) : (c.axis ?? -1);
    if (axis !== -1 && axis !== 1)
      throw new GradstreamError({
        code: 'invalid_config',
        path: at('axis'),
        expected: '-1 or 1 (the features)',
        received: describeTyped(c.axis),
      });
    const epsilon = number(c.epsilon ?? 1e-3, at('epsilon'));
    const momentum = number(c.momentum ?? 0.99, at('momentum'));
    const gamma = c.scale === false ? new Float32Array(inputs).fill(1) : json.weight('gamma', [inputs])!;
    const beta = c.center === false ? new Float32Array(inputs) : json.weight('beta', [inputs])!;
    const mean = json.weight('moving_mean', [inputs])!;
    const variance = json.weight('moving_variance', [inputs])!;
    return [{ layer: batchNorm({ epsilon, momentum }, inputs), tensors: [gamma, beta, mean, variance, [0]] }];
  },
};

function number(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new GradstreamError({ code: 'invalid_config', path, expected: 'a finite number', received: describeTyped(v) });
  return v;
}
