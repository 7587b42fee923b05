import type { Layer } from '../layer.js';
import type { ConvGeometry } from './convGeometry.js';
import { pool2d, type Pool2dOptions } from './pool2d.js';

/**
 * Average pooling over NHWC samples (Keras' `AveragePooling2D`): each output is the mean of its
 * window, per channel; with `'same'` padding a window at the edge averages the cells inside the
 * input only (as TensorFlow does). Defaults: 2×2 windows, strides equal to the window, `'valid'`
 * padding. Without `inputShape` it takes the output shape of the layer before it in `sequential`.
 *
 * @example
 * import { avgPool2d, conv2d, relu, sequential } from 'gradstream';
 * const model = sequential([conv2d({ inputShape: [8, 8, 1], filters: 8, kernelSize: 3 }), relu(), avgPool2d({ poolSize: 2 })]);
 * // output per sample: [3, 3, 8]
 */
export function avgPool2d(options: Pool2dOptions = {}): Layer {
  return pool2d('avgPool2d', options, { forward: avgForward, backward: avgBackward });
}

function avgForward(x: Readonly<Float64Array>, y: Float64Array, g: ConvGeometry, batch: number): void {
  const { h, w, c, kh, kw, sh, sw, oh, ow, top, left } = g;
  let o = 0;
  for (let n = 0; n < batch; n++) {
    const xb = n * h * w * c;
    for (let i = 0; i < oh; i++) {
      const i0 = Math.max(0, i * sh - top);
      const i1 = Math.min(h, i * sh - top + kh);
      for (let j = 0; j < ow; j++) {
        const j0 = Math.max(0, j * sw - left);
        const j1 = Math.min(w, j * sw - left + kw);
        const inv = 1 / ((i1 - i0) * (j1 - j0));
        for (let q = 0; q < c; q++, o++) {
          let s = 0;
          for (let ii = i0; ii < i1; ii++) {
            for (let jj = j0; jj < j1; jj++) s += x[xb + (ii * w + jj) * c + q]!;
          }
          y[o] = s * inv;
        }
      }
    }
  }
}

function avgBackward(dY: Readonly<Float64Array>, dX: Float64Array, g: ConvGeometry, batch: number): void {
  const { h, w, c, kh, kw, sh, sw, oh, ow, top, left } = g;
  dX.fill(0, 0, batch * h * w * c);
  let o = 0;
  for (let n = 0; n < batch; n++) {
    const xb = n * h * w * c;
    for (let i = 0; i < oh; i++) {
      const i0 = Math.max(0, i * sh - top);
      const i1 = Math.min(h, i * sh - top + kh);
      for (let j = 0; j < ow; j++) {
        const j0 = Math.max(0, j * sw - left);
        const j1 = Math.min(w, j * sw - left + kw);
        const inv = 1 / ((i1 - i0) * (j1 - j0));
        for (let q = 0; q < c; q++, o++) {
          const d = dY[o]! * inv;
          for (let ii = i0; ii < i1; ii++) {
            for (let jj = j0; jj < j1; jj++) dX[xb + (ii * w + jj) * c + q]! += d;
          }
        }
      }
    }
  }
}
