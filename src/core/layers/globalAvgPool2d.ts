import { checkOptions } from '../optimizers/checkOption.js';
import type { Layer } from '../layer.js';
import { checkShape, convGeometry } from './convGeometry.js';
import { deferredLayer } from './deferredLayer.js';

/** Options of {@link globalAvgPool2d}. */
export interface GlobalAvgPool2dOptions {
  /** `[height, width, channels]` of one input sample; without it, the output shape of the layer before. */
  readonly inputShape?: readonly number[];
}

/**
 * Global average pooling (Keras' `GlobalAveragePooling2D`): the mean of each channel over all
 * positions of an NHWC sample, `[height, width, channels]` → `[channels]`. Without `inputShape`
 * it takes the output shape of the layer before it in `sequential`.
 *
 * @example
 * import { conv2d, dense, globalAvgPool2d, relu, sequential } from 'gradstream';
 * const model = sequential([conv2d({ inputShape: [8, 8, 1], filters: 16, kernelSize: 3 }), relu(), globalAvgPool2d(), dense(16, 10)]);
 */
export function globalAvgPool2d(options: GlobalAvgPool2dOptions = {}): Layer {
  checkOptions('globalAvgPool2d', options, ['inputShape']);
  const build = (shape: readonly number[]): Layer => {
    const { h, w, c } = convGeometry('globalAvgPool2d.inputShape', shape, [1, 1], [1, 1], 'valid');
    const positions = h * w;
    const inv = 1 / positions;
    const layer: Layer = {
      kind: 'globalAvgPool2d',
      inputs: positions * c,
      outputs: c,
      inputShape: Object.freeze([h, w, c]),
      params: [],
      init() {},
      forward(_p, x, y, batch) {
        for (let n = 0; n < batch; n++) {
          const xb = n * positions * c;
          const yb = n * c;
          for (let q = 0; q < c; q++) {
            let s = 0;
            for (let k = 0; k < positions; k++) s += x[xb + k * c + q]!;
            y[yb + q] = s * inv;
          }
        }
      },
      backward(_p, _x, _y, dY, dX, _g, batch) {
        if (dX === null) return;
        for (let n = 0; n < batch; n++) {
          const xb = n * positions * c;
          for (let k = 0; k < positions; k++) {
            for (let q = 0; q < c; q++) dX[xb + k * c + q] = dY[n * c + q]! * inv;
          }
        }
      },
      toConfig: () => ({ type: 'globalAvgPool2d', inputShape: [h, w, c] }),
      float32: () => layer,
    };
    return layer;
  };
  return options.inputShape === undefined
    ? deferredLayer('globalAvgPool2d', build)
    : build(checkShape('globalAvgPool2d.inputShape', options.inputShape));
}
