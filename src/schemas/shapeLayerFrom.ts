import { GradstreamError } from '../core/errors.js';
import { INITIALIZERS } from '../core/initializers.js';
import type { Layer } from '../core/layer.js';
import { avgPool2d } from '../core/layers/avgPool2d.js';
import { conv2d } from '../core/layers/conv2d.js';
import { flatten } from '../core/layers/flatten.js';
import { globalAvgPool2d } from '../core/layers/globalAvgPool2d.js';
import { maxPool2d } from '../core/layers/maxPool2d.js';
import { reshape } from '../core/layers/reshape.js';
import type { LayerConfig, ShapeLayerConfig } from './modelConfig.js';

const SHAPE_TYPES: ReadonlySet<string> = new Set(['conv2d', 'maxPool2d', 'avgPool2d', 'globalAvgPool2d', 'flatten', 'reshape']);

/** Whether a layer config is one of the layers that know the shape of a sample. */
export function isShapeLayerConfig(spec: LayerConfig): spec is ShapeLayerConfig {
  return SHAPE_TYPES.has(spec.type);
}

/**
 * The layer of a convolution, pooling, flatten or reshape config at `path`, for samples of
 * `shape` (the output shape of the layer before; undefined for the first layer, which then
 * needs `inputShape`, except `reshape`). Errors with a `GradstreamError` naming `path`.
 */
export function shapeLayerFrom(spec: ShapeLayerConfig, shape: readonly number[] | undefined, path: string): Layer {
  if (spec.type === 'reshape') return at(path, () => reshape(spec.shape));
  const own = spec.inputShape;
  if (own === undefined && shape === undefined) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${path}.inputShape`,
      expected: 'the shape of one input sample, [height, width, channels] (required on the first layer)',
      received: 'nothing',
    });
  }
  if (own !== undefined && shape !== undefined && own.join() !== shape.join()) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${path}.inputShape`,
      expected: `[${shape.join(', ')}] (the output shape of the layer before)`,
      received: `[${own.join(', ')}]`,
    });
  }
  const inputShape = own ?? shape!;
  return at(path, () => build(spec, inputShape));
}

function build(spec: Exclude<ShapeLayerConfig, { type: 'reshape' }>, inputShape: readonly number[]): Layer {
  switch (spec.type) {
    case 'conv2d':
      return conv2d({
        inputShape,
        filters: spec.filters,
        kernelSize: spec.kernelSize,
        ...(spec.strides === undefined ? {} : { strides: spec.strides }),
        ...(spec.padding === undefined ? {} : { padding: spec.padding }),
        ...(spec.bias === undefined ? {} : { bias: spec.bias }),
        init: INITIALIZERS[spec.init ?? 'glorotUniform'],
        biasInit: INITIALIZERS[spec.biasInit ?? 'zeros'],
      });
    case 'maxPool2d':
    case 'avgPool2d': {
      const options = {
        inputShape,
        ...(spec.poolSize === undefined ? {} : { poolSize: spec.poolSize }),
        ...(spec.strides === undefined ? {} : { strides: spec.strides }),
        ...(spec.padding === undefined ? {} : { padding: spec.padding }),
      };
      return spec.type === 'maxPool2d' ? maxPool2d(options) : avgPool2d(options);
    }
    case 'globalAvgPool2d':
      return globalAvgPool2d({ inputShape });
    case 'flatten':
      return flatten({ inputShape });
  }
}

/** Runs `make`, giving a shape error the config path of the layer. */
function at(path: string, make: () => Layer): Layer {
  try {
    return make();
  } catch (e) {
    if (e instanceof GradstreamError)
      throw new GradstreamError({ code: 'invalid_config', path: `${path} (${e.path})`, expected: e.expected, received: e.received });
    throw e;
  }
}
