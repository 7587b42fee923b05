import { GradstreamError } from '../errors.js';
import type { Layer } from '../layer.js';
import { shapeSize } from '../layerShape.js';
import { checkShape } from './convGeometry.js';
import { reshapeLayer } from './reshapeLayer.js';

/**
 * Gives each sample the shape `shape` (Keras' `Reshape`): the sample's numbers in row-major order,
 * unchanged; the input is a row of as many numbers (the product of `shape`). Placed first, it lets
 * flat rows (a CSV of pixels) feed a convolution: `reshape([8, 8, 1])` reads 64 numbers as an 8×8
 * image with one channel.
 *
 * @example
 * import { conv2d, reshape, sequential } from 'gradstream';
 * const model = sequential([reshape([8, 8, 1]), conv2d({ filters: 8, kernelSize: 3 })]);
 */
export function reshape(shape: readonly number[]): Layer {
  const outputShape = checkShape('reshape(shape)', shape);
  const n = shapeSize(outputShape);
  if (!Number.isSafeInteger(n)) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: 'reshape(shape)',
      expected: 'a shape of at most 2^53 numbers',
      received: `[${outputShape.join(', ')}]`,
    });
  }
  return reshapeLayer('reshape', n, undefined, outputShape, { type: 'reshape', shape: [...outputShape] });
}
