import { checkOptions } from '../optimizers/checkOption.js';
import type { Layer } from '../layer.js';
import { shapeSize } from '../layerShape.js';
import { checkShape } from './convGeometry.js';
import { deferredLayer } from './deferredLayer.js';
import { reshapeLayer } from './reshapeLayer.js';

/** Options of {@link flatten}. */
export interface FlattenOptions {
  /** The shape of one input sample; without it, the output shape of the layer before. */
  readonly inputShape?: readonly number[];
}

/**
 * Flattens each sample to a row (Keras' `Flatten`): `[height, width, channels]` → `[height ·
 * width · channels]`, values in row-major (NHWC) order, so a `dense` layer can follow a
 * convolution. The numbers do not change; only the shape the next layer sees does.
 *
 * @example
 * import { conv2d, dense, flatten, sequential } from 'gradstream';
 * const model = sequential([conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3 }), flatten(), dense(144, 10)]);
 */
export function flatten(options: FlattenOptions = {}): Layer {
  checkOptions('flatten', options, ['inputShape']);
  const build = (shape: readonly number[]): Layer => {
    const inputShape = checkShape('flatten.inputShape', shape);
    const n = shapeSize(inputShape);
    return reshapeLayer('flatten', n, inputShape, Object.freeze([n]), { type: 'flatten' });
  };
  return options.inputShape === undefined ? deferredLayer('flatten', build) : build(options.inputShape);
}
